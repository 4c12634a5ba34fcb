//go:build unix

package benchloop

import (
	"syscall"
	"time"
)

// processCPU is the user and system time of all the process's threads.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
