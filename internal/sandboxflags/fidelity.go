package sandboxflags

import (
	"flag"
	"fmt"
	"time"

	"github.com/iimmpact-go/iimmpact/iimmpacttest"
)

// fidelity holds the flags of the behaviours that follow IIMMPACT's
// current docs: the Accepted state, the validation-error form, the IP ban,
// the callback source and a fixed starting clock.
type fidelity struct {
	startTime      int64
	acceptedPolls  int
	validationForm string
	rateLimit      int
	callbackSource string
}

func (f *fidelity) bind(fs *flag.FlagSet) {
	fs.Int64Var(&f.startTime, "start-time", 0, "start the sandbox's clock at this Unix time in seconds (0: the real time)")
	fs.IntVar(&f.acceptedPolls, "accepted-polls", 0, "keep topups Accepted (statusCode 0) for this many status checks")
	fs.StringVar(&f.validationForm, "validation-form", "date",
		"form of topup validation 400s: date (Laravel before 23 March 2026, standard after), laravel or standard")
	fs.IntVar(&f.rateLimit, "rate-limit", 30000, "requests per 5 minutes per IP before a 240-minute 403 ban (0: off)")
	fs.StringVar(&f.callbackSource, "callback-source", iimmpacttest.DefaultCallbackSource, "address callbacks come from (see WithCallbackSource)")
}

func (f *fidelity) options() ([]iimmpacttest.ServerOption, error) {
	forms := map[string]iimmpacttest.ValidationForm{"date": iimmpacttest.ValidationByDate,
		"laravel": iimmpacttest.ValidationLaravel, "standard": iimmpacttest.ValidationStandard}
	form, ok := forms[f.validationForm]
	if !ok {
		return nil, fmt.Errorf("-validation-form must be date, laravel or standard, not %q", f.validationForm)
	}
	opts := []iimmpacttest.ServerOption{
		iimmpacttest.WithAccepted(f.acceptedPolls),
		iimmpacttest.WithValidationErrors(form),
		iimmpacttest.WithIPBan(f.rateLimit, 5*time.Minute, 240*time.Minute),
		iimmpacttest.WithCallbackSource(f.callbackSource),
	}
	if f.startTime != 0 {
		start, launched := time.Unix(f.startTime, 0), time.Now()
		opts = append(opts, iimmpacttest.WithServerClock(func() time.Time { return start.Add(time.Since(launched)) }))
	}
	return opts, nil
}
