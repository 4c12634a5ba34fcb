package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/iimmpact-go/iimmpact"
	"github.com/spf13/pflag"
)

// config is what the persistent flags hold. Environment values are read
// only when a client is built, never copied into flag defaults, so --help
// cannot print a secret.
type config struct {
	apiKey     string
	secretFile string
	baseURL    string
	dsn        string
	staging    bool
	verbose    bool
	otel       string
}

func (c *config) bind(fs *pflag.FlagSet) {
	fs.StringVar(&c.apiKey, "api-key", "", "API key (default $IIMMPACT_API_KEY)")
	fs.StringVar(&c.secretFile, "hmac-secret-file", "", "read the Base64 HMAC secret from this file (default $IIMMPACT_HMAC_SECRET)")
	fs.StringVar(&c.baseURL, "base-url", "", "API host, e.g. a local sandbox (default $IIMMPACT_BASE_URL, else production)")
	fs.BoolVar(&c.staging, "staging", false, "use IIMMPACT's staging host and staging callback addresses")
	fs.StringVar(&c.dsn, "dsn", "", "payments store DSN, for the commands that use the store (default $IIMMPACT_DSN)")
	fs.BoolVarP(&c.verbose, "verbose", "v", false, "log each request (method, path, status, time) to stderr; never secrets")
	fs.StringVar(&c.otel, "otel", "", `export OpenTelemetry traces and metrics: "stdout", "stderr" (use it with --json) or "off" (default $IIMMPACT_OTEL)`)
}

// setting returns the flag value if set, else the environment's.
func (a *app) setting(flagValue, envName string) string {
	if flagValue != "" {
		return flagValue
	}
	v, _ := a.env(envName)
	return strings.TrimSpace(v)
}

// baseURL resolves --staging, --base-url and IIMMPACT_BASE_URL.
func (a *app) baseURL() (string, error) {
	if a.cfg.staging && a.cfg.baseURL != "" {
		return "", usagef("--staging and --base-url say different things; give one")
	}
	if a.cfg.staging {
		return iimmpact.StagingURL, nil
	}
	if u := a.setting(a.cfg.baseURL, "IIMMPACT_BASE_URL"); u != "" {
		return u, nil
	}
	return iimmpact.ProductionURL, nil
}

// secret reads the HMAC secret from --hmac-secret-file or the environment.
// Errors name where it came from, never what it is.
func (a *app) secret() (string, error) {
	if a.cfg.secretFile == "" {
		return a.setting("", "IIMMPACT_HMAC_SECRET"), nil
	}
	b, err := os.ReadFile(a.cfg.secretFile)
	if err != nil {
		return "", fmt.Errorf("reading --hmac-secret-file: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// client builds the SDK client from the configuration.
func (a *app) client() (*iimmpact.Client, error) {
	key := a.setting(a.cfg.apiKey, "IIMMPACT_API_KEY")
	secret, err := a.secret()
	if err != nil {
		return nil, err
	}
	if key == "" || secret == "" {
		return nil, usagef("no credentials: set IIMMPACT_API_KEY and IIMMPACT_HMAC_SECRET (or --api-key and --hmac-secret-file)")
	}
	base, err := a.baseURL()
	if err != nil {
		return nil, err
	}
	opts := []iimmpact.Option{
		iimmpact.WithBaseURL(base),
		iimmpact.WithUserAgent("iimmpact-cli/" + iimmpact.Version),
	}
	if a.cfg.verbose {
		fmt.Fprintf(a.err, "iimmpact: %s with API key %s\n", base, redactKey(key))
		h := slog.NewTextHandler(a.err, &slog.HandlerOptions{Level: slog.LevelDebug})
		opts = append(opts, iimmpact.WithLogger(slog.New(noCanonical{h})))
	}
	obs, err := a.observer()
	if err != nil {
		return nil, err
	}
	if obs != nil {
		opts = append(opts, obs.Option())
	}
	c, err := iimmpact.New(key, secret, opts...)
	if err != nil {
		return nil, withExit(exitError, fmt.Errorf("configuration: %w", err))
	}
	if obs != nil {
		if _, err := obs.ObserveClient(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// redactKey keeps only an API key's environment prefix ("iimm_prod_"),
// enough to see which key is in use without printing it.
func redactKey(key string) string {
	if i := strings.LastIndexByte(key, '_'); i > 0 && i < 16 {
		return key[:i+1] + "…"
	}
	return "…"
}

// noCanonical drops the SDK's "signing" debug line from --verbose. The
// SDK already logs only the query's keys there, not its values (an
// account or IC number); the rest of the canonical string (timestamp,
// nonce, body hash) tells an operator nothing the request lines do not.
type noCanonical struct{ slog.Handler }

func (h noCanonical) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "iimmpact: signing" {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}

func (h noCanonical) WithAttrs(as []slog.Attr) slog.Handler {
	return noCanonical{h.Handler.WithAttrs(as)}
}

func (h noCanonical) WithGroup(name string) slog.Handler {
	return noCanonical{h.Handler.WithGroup(name)}
}
