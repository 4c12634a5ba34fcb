//go:build !unix

package benchloop

import "time"

// processCPU is unknown here: Run reports wall time only.
func processCPU() time.Duration { return 0 }
