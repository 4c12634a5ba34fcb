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
	"os"
	"os/signal"
	"syscall"

	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/iimmpact-go/iimmpact/internal/sandboxflags"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "iimmpact-sandbox:", err)
		os.Exit(1)
	}
}

// run is the whole command: the flags (internal/sandboxflags, shared with
// `iimmpact sandbox`), then the server they configure.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("iimmpact-sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := sandboxflags.Bind(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: iimmpact-sandbox [flags]\n\nFlags:\n")
		fs.PrintDefaults()
		fmt.Fprintf(fs.Output(), "\n%s", iimmpacttest.WireGuide)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := f.CheckCredentials(); err != nil {
		return err
	}

	// The options panic on values that cannot work; report them as errors.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	opts, err := f.Options(stderr)
	if err != nil {
		return err
	}
	srv := iimmpacttest.NewUnstartedServer(opts...)
	defer srv.Close()
	if err := srv.StartOn(f.Addr); err != nil {
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
