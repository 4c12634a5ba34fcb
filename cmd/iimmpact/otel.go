package main

import (
	"io"
	"strings"
	"time"

	iimmpactotel "github.com/iimmpact-go/iimmpact/otel"
)

// otelInterval is how often --otel writes metrics; they are written once
// more when the command ends, so a short command still shows them.
const otelInterval = time.Minute

// observer builds the --otel exporter once per run, or returns nil when
// telemetry is off. Spans and metrics carry no secret, PIN, IC number or
// account number: the SDK's observation events have no field for them.
func (a *app) observer() (*iimmpactotel.Observer, error) {
	if a.obs != nil {
		return a.obs, nil
	}
	var w io.Writer
	switch mode := strings.ToLower(a.setting(a.cfg.otel, "IIMMPACT_OTEL")); mode {
	case "", "off":
		return nil, nil
	case "stdout":
		w = a.out
	case "stderr":
		w = a.err
	default:
		return nil, usagef("--otel %q: want stdout, stderr or off", mode)
	}
	obs, shutdown, err := iimmpactotel.Stdout(w, otelInterval)
	if err != nil {
		return nil, err
	}
	a.obs, a.shutdown = obs, shutdown
	return obs, nil
}
