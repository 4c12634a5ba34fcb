// Command digi-reload runs the walkthrough's RM30 Digi Prepaid reload
// (balance, product list, network status, payment with polling, callback,
// verification, history) against an embedded iimmpacttest server, with
// OpenTelemetry switched on by a flag or an environment variable:
//
//	go run ./examples/digi-reload -otel stdout   # from the otel module
//	IIMMPACT_OTEL=stdout go run ./examples/digi-reload
//
// Spans and metrics are written to standard output as JSON, the steps to
// standard error. The fake's first answer to the payment is lost (HTTP 502),
// so the trace shows a call span with two attempt spans. The step-by-step
// walkthrough itself is the core module's examples/digi-reload, which cannot
// import OpenTelemetry.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	iimmpactotel "github.com/iimmpact-go/iimmpact/otel"
)

func main() {
	mode := flag.String("otel", os.Getenv("IIMMPACT_OTEL"), `"stdout" exports traces and metrics to standard output; "" or "off" exports nothing`)
	flag.Parse()
	if err := run(context.Background(), *mode, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "digi-reload:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, mode string, stdout, log io.Writer) (err error) {
	var obs iimmpact.Observer
	var otelObs *iimmpactotel.Observer
	switch mode {
	case "", "off":
	case "stdout":
		var shutdown func(context.Context) error
		if otelObs, shutdown, err = iimmpactotel.Stdout(stdout, time.Minute); err != nil {
			return err
		}
		defer func() { err = errors.Join(err, shutdown(context.Background())) }() // flushes the metrics
		obs = otelObs
	default:
		return fmt.Errorf("-otel %q: want stdout or off", mode)
	}

	req := iimmpact.TopupRequest{RefID: iimmpact.NewRefID(), Product: "D", Account: "0123456789", Amount: iimmpact.MustParseAmount("30")}
	callbacks := make(chan *iimmpact.Callback, 4)
	url, stop, err := serveCallbacks(req, callbacks, obs)
	if err != nil {
		return err
	}
	defer stop()
	fake := iimmpacttest.NewServer(iimmpacttest.WithSettleAfter(1), iimmpacttest.WithCallback(url, http.MethodPost),
		iimmpacttest.WithCallbackPolicy(3, 200*time.Millisecond, 5*time.Second))
	defer fake.Close()
	fake.ScriptFaults("/v2/topup", iimmpacttest.StatusFault(http.StatusBadGateway))
	client := fake.Client(iimmpact.WithObserver(obs),
		iimmpact.WithRetryPolicy(iimmpact.RetryPolicy{BaseDelay: 50 * time.Millisecond, MaxDelay: 200 * time.Millisecond}))
	if otelObs != nil {
		if _, err := otelObs.ObserveClient(client); err != nil { // for the program's life: flushed at shutdown
			return err
		}
	}
	return walk(ctx, client, req, callbacks, log)
}

// walk is the walkthrough's seven steps, told briefly.
func walk(ctx context.Context, c *iimmpact.Client, req iimmpact.TopupRequest, callbacks <-chan *iimmpact.Callback, log io.Writer) error {
	bal, err := c.Balance(ctx)
	if err != nil {
		return fmt.Errorf("balance: %w", err)
	}
	fmt.Fprintf(log, "1 balance: RM %s\n", bal.Balance)
	if _, err := c.Products(ctx); err != nil {
		return fmt.Errorf("product list: %w", err)
	}
	st, err := c.NetworkStatus(ctx, req.Product)
	if err != nil {
		return fmt.Errorf("network status: %w", err)
	}
	fmt.Fprintf(log, "2-3 product list read; %s network: %s\n", st.ProductName, st.Status)
	tx, err := c.WaitTopup(ctx, req, iimmpact.WithPollInterval(100*time.Millisecond, 200*time.Millisecond))
	if err != nil {
		return fmt.Errorf("payment: %w", err)
	}
	fmt.Fprintf(log, "4 paid after a lost answer and a poll: %s %q\n", tx.StatusCode, tx.Status)
	select {
	case cb := <-callbacks:
		fmt.Fprintf(log, "5 callback: %s\n", cb.StatusCode)
	case <-time.After(10 * time.Second):
		return errors.New("callback: none within 10 s")
	}
	if tx, err = c.Topup(ctx, req); err != nil || !tx.StatusCode.IsSuccess() {
		return fmt.Errorf("verify: %v %v", tx, err)
	}
	fmt.Fprintf(log, "6 verified: %s\n", tx.StatusCode)
	if _, err := c.Transactions(ctx, iimmpact.TransactionQuery{From: time.Now(), Product: req.Product}); err != nil {
		return fmt.Errorf("history: %w", err)
	}
	fmt.Fprintln(log, "7 history read")
	return nil
}

// serveCallbacks runs an observed CallbackHandler on loopback that knows
// only req and passes each final callback to out.
func serveCallbacks(req iimmpact.TopupRequest, out chan<- *iimmpact.Callback, obs iimmpact.Observer) (string, func(), error) {
	allow, err := iimmpact.NewIPAllowlist("127.0.0.1")
	if err != nil {
		return "", nil, err
	}
	h, err := iimmpact.NewCallbackHandler(iimmpact.CallbackConfig{Allowlist: allow, Observer: obs,
		Lookup: func(_ context.Context, refID string) (iimmpact.TopupRequest, error) {
			if refID != req.RefID {
				return iimmpact.TopupRequest{}, iimmpact.ErrUnknownRefID
			}
			return req, nil
		},
		Handle: func(_ context.Context, cb *iimmpact.Callback) error {
			if cb.StatusCode.IsFinal() {
				out <- cb
			}
			return nil
		}})
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	return "http://" + ln.Addr().String() + "/iimmpact/callback", func() { hs.Close() }, nil
}
