package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/spf13/cobra"
)

type listenCmd struct {
	a            *app
	addr         string
	allow, trust []string
	asJSON       bool
}

func newListenCmd(a *app) *cobra.Command {
	l := &listenCmd{a: a}
	cmd := &cobra.Command{
		Use:   "listen --addr A",
		Short: "Receive transaction callbacks locally and print each one with the allowlist verdict",
		Long: `listen is a callback receiver for setting up a callback URL, e.g. behind a tunnel.
It answers each callback exactly as the SDK's CallbackHandler would (403 for a source
outside the allowlist, 400 for a malformed body, 200 {"received":true} otherwise) and
prints one line per callback: when, from where, the verdict and what it carried.
It knows no payments, so every well-formed callback from an allowed source is accepted;
a repeat of a status already seen is acknowledged as a duplicate.

The allowlist defaults to IIMMPACT's production callback addresses (staging's with
--staging). A tunnel or proxy on this machine is the direct peer: name it with
--trust-proxy so the sender is read from X-Forwarded-For.`,
		Example: `  iimmpact listen --addr 127.0.0.1:8081
  iimmpact listen --addr :8081 --trust-proxy 127.0.0.1 --json
  iimmpact listen --addr 127.0.0.1:8081 --allow 127.0.0.1   # callbacks from a local sandbox`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return l.run(cmd.Context()) },
	}
	f := cmd.Flags()
	f.StringVar(&l.addr, "addr", "127.0.0.1:8081", "listen address (host:port)")
	f.StringSliceVar(&l.allow, "allow", nil, "addresses or CIDR prefixes callbacks may come from (default: IIMMPACT's)")
	f.StringSliceVar(&l.trust, "trust-proxy", nil, "your proxies or tunnel; X-Forwarded-For is read only behind them")
	cmd.Flags().BoolVar(&l.asJSON, "json", false, "print one JSON object per callback (JSON Lines)")
	return cmd
}

func (l *listenCmd) run(ctx context.Context) error {
	allow := l.allow
	if allow == nil {
		allow = iimmpact.ProductionCallbackIPs()
		if l.a.cfg.staging {
			allow = iimmpact.StagingCallbackIPs()
		}
	}
	allowlist, err := iimmpact.NewIPAllowlist(allow...)
	if err != nil {
		return usagef("--allow: %v", err)
	}
	trusted, err := iimmpact.NewIPAllowlist(l.trust...)
	if err != nil {
		return usagef("--trust-proxy: %v", err)
	}
	rcv := &receiver{out: l.a.out, asJSON: l.asJSON}
	h, err := iimmpact.NewCallbackHandler(iimmpact.CallbackConfig{
		Allowlist: allowlist, TrustedProxies: trusted,
		Verify: func(context.Context, *iimmpact.Callback) error { return nil },
		Handle: rcv.handled,
		Logger: slog.New(verdictHandler{}),
	})
	if err != nil {
		return err
	}
	rcv.h = h
	ln, err := net.Listen("tcp", l.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: rcv, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(l.a.err, "listening on http://%s (allowlist %s, trusted proxies %s); Ctrl-C stops\n",
		ln.Addr(), allowlist, trusted)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shut)
}

// receiver serves callbacks through the SDK's handler and prints each.
type receiver struct {
	h      http.Handler
	out    io.Writer
	asJSON bool
	mu     sync.Mutex // one printed line at a time
}

// seen is what one request became, gathered from the handler's Handle and
// its log line (both carry the request's context).
type seen struct {
	reason, peer string
	code         int
	handled      bool
}

type seenKey struct{}

func (rc *receiver) handled(ctx context.Context, _ *iimmpact.Callback) error {
	if s, ok := ctx.Value(seenKey{}).(*seen); ok {
		s.handled = true
	}
	return nil
}

// verdictHandler takes the handler's one log line per request into the
// request's seen: the reason and the peer as the SDK decided them.
type verdictHandler struct{}

func (verdictHandler) Enabled(context.Context, slog.Level) bool { return true }
func (verdictHandler) WithAttrs([]slog.Attr) slog.Handler       { return verdictHandler{} }
func (verdictHandler) WithGroup(string) slog.Handler            { return verdictHandler{} }

func (verdictHandler) Handle(ctx context.Context, r slog.Record) error {
	s, ok := ctx.Value(seenKey{}).(*seen)
	if !ok {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "reason":
			s.reason = a.Value.String()
		case "peer":
			s.peer = a.Value.String()
		}
		return true
	})
	return nil
}

// statusRecorder remembers the status the handler answered.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (w *statusRecorder) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, iimmpact.DefaultMaxCallbackBytes+1))
	s := &seen{}
	ctx := context.WithValue(r.Context(), seenKey{}, s)
	rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
	req := r.Clone(ctx)
	req.Body = io.NopCloser(bytes.NewReader(body))
	rc.h.ServeHTTP(rec, req)
	s.code = rec.code

	// Parse a copy for display: a refused callback shows what it carried.
	shown := r.Clone(ctx)
	shown.Body = io.NopCloser(bytes.NewReader(body))
	cb, perr := iimmpact.ParseCallback(shown)
	rc.print(newCallbackEvent(r, s, cb, perr))
}

// callbackEvent is one received callback as listen prints it.
type callbackEvent struct {
	Time         jsonTime            `json:"time"`
	Method       string              `json:"method"`
	Path         string              `json:"path"`
	Peer         string              `json:"peer"`
	ForwardedFor string              `json:"forwarded_for,omitempty"`
	Allowed      bool                `json:"allowed"`
	HTTPStatus   int                 `json:"http_status"`
	Verdict      string              `json:"verdict"`
	Reason       string              `json:"reason"`
	RefID        string              `json:"refid,omitempty"`
	StatusCode   iimmpact.StatusCode `json:"status_code,omitempty"`
	Status       string              `json:"status,omitempty"`
	Product      string              `json:"product,omitempty"`
	Account      string              `json:"account,omitempty"`
	Amount       *iimmpact.Amount    `json:"amount,omitempty"`
	HasPIN       bool                `json:"has_pin"`
	ParseError   string              `json:"parse_error,omitempty"`
}

func newCallbackEvent(r *http.Request, s *seen, cb *iimmpact.Callback, perr error) callbackEvent {
	ev := callbackEvent{Time: jsonTime(time.Now()), Method: r.Method, Path: r.URL.Path, Peer: s.peer,
		ForwardedFor: r.Header.Get("X-Forwarded-For"), HTTPStatus: s.code, Reason: s.reason,
		Allowed: s.code != http.StatusForbidden}
	if ev.Peer == "" {
		ev.Peer = r.RemoteAddr
	}
	switch {
	case !ev.Allowed:
		ev.Verdict = "refused"
	case s.code == http.StatusOK && s.handled:
		ev.Verdict = "accepted"
	case s.code == http.StatusOK:
		ev.Verdict = "duplicate"
	default:
		ev.Verdict = "rejected"
	}
	if cb != nil {
		amount := cb.Amount
		ev.RefID, ev.StatusCode, ev.Status, ev.Product, ev.Account, ev.Amount, ev.HasPIN =
			cb.RefID, cb.StatusCode, cb.Status, cb.Product, cb.Account, &amount, cb.PIN != ""
	}
	if perr != nil {
		ev.ParseError = scrubError(perr)
	}
	return ev
}

// scrubError keeps only the SDK's sentinel part of a parse error: the rest
// may quote the sender's bytes.
func scrubError(err error) string {
	for _, s := range []error{iimmpact.ErrCallbackTooLarge, iimmpact.ErrCallbackMethod,
		iimmpact.ErrCallbackContentType, iimmpact.ErrMalformedCallback} {
		if errors.Is(err, s) {
			return s.Error()
		}
	}
	return "unreadable callback"
}

func (rc *receiver) print(ev callbackEvent) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.asJSON {
		_ = writeJSONLine(rc.out, ev)
		return
	}
	what := "(" + orDash(ev.ParseError) + ")"
	if ev.RefID != "" {
		what = fmt.Sprintf("refid %s  %s (%d)  %s %s  %s", ev.RefID, ev.Status, ev.StatusCode, ev.Product, ev.Account, money(*ev.Amount))
	}
	verdict := strings.ToUpper(ev.Verdict)
	if !ev.Allowed {
		verdict += " (not in allowlist)"
	}
	fmt.Fprintf(rc.out, "%s  %s %s from %s  %s → %d %s  %s\n", showTime(time.Time(ev.Time)),
		ev.Method, ev.Path, ev.Peer, verdict, ev.HTTPStatus, ev.Reason, what)
}
