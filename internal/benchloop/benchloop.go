// Package benchloop runs a benchmark's loop and reports, beside wall time,
// the CPU time the whole process spent per operation: on a busy, shared
// machine that is steadier than wall time, and it counts work done on other
// goroutines (a fake server, an exporter) too. Benchmarks only.
package benchloop

import "testing"

// Run calls op until the benchmark is done, failing on its first error.
func Run(b *testing.B, op func() error) {
	b.ReportAllocs()
	start := processCPU()
	for b.Loop() {
		if err := op(); err != nil {
			b.Fatal(err)
		}
	}
	if start > 0 {
		b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
	}
}
