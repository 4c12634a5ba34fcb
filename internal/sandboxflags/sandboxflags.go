// Package sandboxflags is the one flag set of the iimmpacttest sandbox and
// the server options it builds. cmd/iimmpact-sandbox and `iimmpact sandbox`
// both use it, so the two take the same flags and stay interchangeable in
// scripts. The flags are the standard library's (single dash, -h).
package sandboxflags

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/iimmpact-go/iimmpact/iimmpacttest"

	"github.com/iimmpact-go/iimmpact"
)

// Flags holds the sandbox's flags once parsed. Bind makes one.
type Flags struct {
	Addr string // listen address (host:port)

	balance, apiKey, secret, cbURL, cbMethod string
	cbRetries, settlePolls                   int
	cbDelay, cbTimeout, settleDelay          time.Duration
	seed                                     uint64
	verbose                                  bool
	fid                                      fidelity
}

// Bind defines every sandbox flag on fs and returns where they land.
func Bind(fs *flag.FlagSet) *Flags {
	f := new(Flags)
	fs.StringVar(&f.Addr, "addr", "127.0.0.1:8080", "listen address (host:port)")
	fs.StringVar(&f.balance, "balance", "950", "opening wallet balance in ringgit")
	fs.StringVar(&f.apiKey, "api-key", "", "fixed API key (default: random iimm_dev_ key)")
	fs.StringVar(&f.secret, "secret", "", "fixed Base64 HMAC secret (needs -api-key)")
	fs.StringVar(&f.cbURL, "callback-url", "", "deliver transaction callbacks to this URL")
	fs.StringVar(&f.cbMethod, "callback-method", "POST", "callback method: POST or GET")
	fs.IntVar(&f.cbRetries, "callback-retries", 3, "callback retries after the first attempt")
	fs.DurationVar(&f.cbDelay, "callback-delay", 60*time.Second, "wait between callback attempts")
	fs.DurationVar(&f.cbTimeout, "callback-timeout", 30*time.Second, "time limit of one callback attempt")
	fs.IntVar(&f.settlePolls, "settle-polls", 0, "keep topups Processing for this many status checks")
	fs.DurationVar(&f.settleDelay, "settle-delay", 0, "keep topups Processing for this long")
	fs.Uint64Var(&f.seed, "seed", 1, "seed for voucher PINs and random faults")
	fs.BoolVar(&f.verbose, "v", false, "log every request and callback attempt")
	f.fid.bind(fs)
	return f
}

// CheckCredentials reports a fixed API key given without its secret, or
// the other way round.
func (f *Flags) CheckCredentials() error {
	if (f.apiKey == "") != (f.secret == "") {
		return fmt.Errorf("-api-key and -secret go together")
	}
	return nil
}

// Options builds the server's options; its log lines go to log (request
// by request with -v). It panics on a balance that is not an amount, and
// the options panic, when applied, on values that cannot work: callers
// recover around both and report the panic as an error.
func (f *Flags) Options(log io.Writer) ([]iimmpacttest.ServerOption, error) {
	level := slog.LevelInfo
	if f.verbose {
		level = slog.LevelDebug
	}
	opts := []iimmpacttest.ServerOption{
		iimmpacttest.WithBalance(iimmpact.MustParseAmount(f.balance)),
		iimmpacttest.WithSettleAfter(f.settlePolls),
		iimmpacttest.WithSettleDelay(f.settleDelay),
		iimmpacttest.WithSeed(f.seed),
		iimmpacttest.WithCallbackPolicy(f.cbRetries, f.cbDelay, f.cbTimeout),
		iimmpacttest.WithServerLogger(slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: level}))),
	}
	if f.apiKey != "" {
		opts = append(opts, iimmpacttest.WithCredentials(f.apiKey, f.secret))
	}
	if f.cbURL != "" {
		opts = append(opts, iimmpacttest.WithCallback(f.cbURL, f.cbMethod))
	}
	more, err := f.fid.options()
	if err != nil {
		return nil, err
	}
	return append(opts, more...), nil
}
