// Command iimmpact-sandbox runs the iimmpacttest fake IIMMPACT v2 API as a
// standalone server, for trying an integration by hand or from another
// language:
//
//	go run ./cmd/iimmpact-sandbox -addr 127.0.0.1:8080
//
// It prints its base URL, API key and HMAC secret, then serves until
// interrupted (SIGINT or SIGTERM). Requests must be signed exactly as
// IIMMPACT requires. Pass -api-key and -secret to keep credentials stable
// across restarts; state (wallet, transactions) lives in memory only.
//
// -h prints, besides the flags, iimmpacttest.WireGuide: the timestamp
// unit, the signing recipe, every endpoint's parameters and field names,
// and a complete signed curl request with its signature worked out, which
// runs as shown against a sandbox started with -start-time 1704067200.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/iimmpact-go/iimmpact/iimmpacttest"

	"github.com/iimmpact-go/iimmpact"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "iimmpact-sandbox:", err)
		os.Exit(1)
	}
}

// run is the whole command: one flag a line, then the server they
// configure, which is why it is longer than most functions.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("iimmpact-sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		addr        = fs.String("addr", "127.0.0.1:8080", "listen address (host:port)")
		balance     = fs.String("balance", "950", "opening wallet balance in ringgit")
		apiKey      = fs.String("api-key", "", "fixed API key (default: random iimm_dev_ key)")
		secret      = fs.String("secret", "", "fixed Base64 HMAC secret (needs -api-key)")
		cbURL       = fs.String("callback-url", "", "deliver transaction callbacks to this URL")
		cbMethod    = fs.String("callback-method", "POST", "callback method: POST or GET")
		cbRetries   = fs.Int("callback-retries", 3, "callback retries after the first attempt")
		cbDelay     = fs.Duration("callback-delay", 60*time.Second, "wait between callback attempts")
		cbTimeout   = fs.Duration("callback-timeout", 30*time.Second, "time limit of one callback attempt")
		settlePolls = fs.Int("settle-polls", 0, "keep topups Processing for this many status checks")
		settleDelay = fs.Duration("settle-delay", 0, "keep topups Processing for this long")
		seed        = fs.Uint64("seed", 1, "seed for voucher PINs and random faults")
		verbose     = fs.Bool("v", false, "log every request and callback attempt")
		fid         = fidelityFlags(fs)
	)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: iimmpact-sandbox [flags]\n\nFlags:\n")
		fs.PrintDefaults()
		fmt.Fprintf(fs.Output(), "\n%s", iimmpacttest.WireGuide)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (*apiKey == "") != (*secret == "") {
		return fmt.Errorf("-api-key and -secret go together")
	}

	// The options panic on values that cannot work; report them as errors.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()

	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	opts := []iimmpacttest.ServerOption{
		iimmpacttest.WithBalance(iimmpact.MustParseAmount(*balance)),
		iimmpacttest.WithSettleAfter(*settlePolls),
		iimmpacttest.WithSettleDelay(*settleDelay),
		iimmpacttest.WithSeed(*seed),
		iimmpacttest.WithCallbackPolicy(*cbRetries, *cbDelay, *cbTimeout),
		iimmpacttest.WithServerLogger(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))),
	}
	if *apiKey != "" {
		opts = append(opts, iimmpacttest.WithCredentials(*apiKey, *secret))
	}
	if *cbURL != "" {
		opts = append(opts, iimmpacttest.WithCallback(*cbURL, *cbMethod))
	}
	more, err := fid.options()
	if err != nil {
		return err
	}
	opts = append(opts, more...)

	srv := iimmpacttest.NewUnstartedServer(opts...)
	defer srv.Close()
	if err := srv.StartOn(*addr); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "IIMMPACT sandbox listening\n  URL:         %s\n  API key:     %s\n  HMAC secret: %s\n",
		srv.URL, srv.APIKey, srv.HMACSecret)

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	fmt.Fprintln(stdout, "shutting down")
	return nil
}
