package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/spf13/cobra"

	"github.com/iimmpact-go/iimmpact"
)

// newSandboxCmd runs the iimmpacttest fake, taking exactly the flags of
// cmd/iimmpact-sandbox (Go-style: -addr and --addr alike), so the two are
// interchangeable in scripts.
func newSandboxCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox [-addr host:port] [flags]",
		Short: "Run the fake IIMMPACT API (iimmpacttest) locally, as cmd/iimmpact-sandbox does",
		Long: `sandbox starts the iimmpacttest fake on a local address and prints its URL, API key
and HMAC secret (they are the sandbox's own, made up for it), then serves until
interrupted. It verifies every signature as IIMMPACT does. It takes the flags of
cmd/iimmpact-sandbox.`,
		Example: `  iimmpact sandbox -addr 127.0.0.1:8080 -settle-polls 2
  # in another shell, with the printed key and secret:
  IIMMPACT_BASE_URL=http://127.0.0.1:8080 iimmpact balance`,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSandbox(cmd, a, args)
		},
	}
	// Its flags are the standard library's, so cobra's help would list the
	// wrong ones: print them from the flag set itself.
	cmd.SetHelpFunc(func(cmd *cobra.Command, _ []string) { sandboxHelp(cmd, a) })
	return cmd
}

func sandboxHelp(cmd *cobra.Command, a *app) {
	fs := flag.NewFlagSet("iimmpact sandbox", flag.ContinueOnError)
	new(sandboxFlags).bind(fs)
	fs.SetOutput(a.out)
	fmt.Fprintf(a.out, "%s\n\nUsage:\n  iimmpact %s\n\nExamples:\n%s\n\nFlags (-flag and --flag alike):\n",
		cmd.Long, cmd.Use, cmd.Example)
	fs.PrintDefaults()
}

type sandboxFlags struct {
	addr, balance, apiKey, secret, cbURL, cbMethod string
	cbRetries, settlePolls                         int
	cbDelay, cbTimeout, settleDelay                time.Duration
	seed                                           uint64
	verbose                                        bool
}

func (s *sandboxFlags) bind(fs *flag.FlagSet) {
	fs.StringVar(&s.addr, "addr", "127.0.0.1:8080", "listen address (host:port)")
	fs.StringVar(&s.balance, "balance", "950", "opening wallet balance in ringgit")
	fs.StringVar(&s.apiKey, "api-key", "", "fixed API key (default: random iimm_dev_ key)")
	fs.StringVar(&s.secret, "secret", "", "fixed Base64 HMAC secret (needs -api-key)")
	fs.StringVar(&s.cbURL, "callback-url", "", "deliver transaction callbacks to this URL")
	fs.StringVar(&s.cbMethod, "callback-method", "POST", "callback method: POST or GET")
	fs.IntVar(&s.cbRetries, "callback-retries", 3, "callback retries after the first attempt")
	fs.DurationVar(&s.cbDelay, "callback-delay", 60*time.Second, "wait between callback attempts")
	fs.DurationVar(&s.cbTimeout, "callback-timeout", 30*time.Second, "time limit of one callback attempt")
	fs.IntVar(&s.settlePolls, "settle-polls", 0, "keep topups Processing for this many status checks")
	fs.DurationVar(&s.settleDelay, "settle-delay", 0, "keep topups Processing for this long")
	fs.Uint64Var(&s.seed, "seed", 1, "seed for voucher PINs and random faults")
	fs.BoolVar(&s.verbose, "v", false, "log every request and callback attempt")
}

func runSandbox(cmd *cobra.Command, a *app, args []string) (err error) {
	var s sandboxFlags
	fs := flag.NewFlagSet("iimmpact sandbox", flag.ContinueOnError)
	fs.SetOutput(a.err)
	s.bind(fs)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			sandboxHelp(cmd, a)
			return nil
		}
		return usagef("sandbox: %v", err)
	}
	if fs.NArg() > 0 {
		return usagef("sandbox takes no arguments, got %q", fs.Arg(0))
	}
	if (s.apiKey == "") != (s.secret == "") {
		return usagef("-api-key and -secret go together")
	}
	// The fake's options panic on values that cannot work; report them.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("sandbox: %v", r)
		}
	}()
	srv := iimmpacttest.NewUnstartedServer(s.options(a)...)
	defer srv.Close()
	if err := srv.StartOn(s.addr); err != nil {
		return err
	}
	fmt.Fprintf(a.out, "IIMMPACT sandbox listening\n  URL:         %s\n  API key:     %s\n  HMAC secret: %s\n",
		srv.URL, srv.APIKey, srv.HMACSecret)
	<-cmd.Context().Done()
	fmt.Fprintln(a.out, "shutting down")
	return nil
}

func (s *sandboxFlags) options(a *app) []iimmpacttest.ServerOption {
	level := slog.LevelInfo
	if s.verbose {
		level = slog.LevelDebug
	}
	opts := []iimmpacttest.ServerOption{
		iimmpacttest.WithBalance(iimmpact.MustParseAmount(s.balance)),
		iimmpacttest.WithSettleAfter(s.settlePolls),
		iimmpacttest.WithSettleDelay(s.settleDelay),
		iimmpacttest.WithSeed(s.seed),
		iimmpacttest.WithCallbackPolicy(s.cbRetries, s.cbDelay, s.cbTimeout),
		iimmpacttest.WithServerLogger(slog.New(slog.NewTextHandler(a.err, &slog.HandlerOptions{Level: level}))),
	}
	if s.apiKey != "" {
		opts = append(opts, iimmpacttest.WithCredentials(s.apiKey, s.secret))
	}
	if s.cbURL != "" {
		opts = append(opts, iimmpacttest.WithCallback(s.cbURL, s.cbMethod))
	}
	return opts
}
