package main

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCheckedInOutputIsCurrent fails when a wire tag changed without
// `go generate`: CI runs it with every go test.
func TestCheckedInOutputIsCurrent(t *testing.T) {
	t.Parallel()
	pkg, types, methods := load("../..")
	want, err := generate(pkg, types, methods)
	require.NoError(t, err)
	got, err := os.ReadFile("../../" + out)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "decode_gen.go is stale: run go generate in the module root")
}
