//go:build !race

package iimmpact

const raceEnabled = false
