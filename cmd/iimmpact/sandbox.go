package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/iimmpact-go/iimmpact/internal/sandboxflags"
	"github.com/spf13/cobra"
)

// newSandboxCmd runs the iimmpacttest fake, taking exactly the flags of
// cmd/iimmpact-sandbox (one flag set, internal/sandboxflags; Go-style:
// -addr and --addr alike), so the two are interchangeable in scripts.
func newSandboxCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox [-addr host:port] [flags]",
		Short: "Run the fake IIMMPACT API (iimmpacttest) locally, as cmd/iimmpact-sandbox does",
		Long: `sandbox starts the iimmpacttest fake on a local address and prints its URL, API key
and HMAC secret (they are the sandbox's own, made up for it), then serves until
interrupted. It verifies every signature as IIMMPACT does. It takes the flags of
cmd/iimmpact-sandbox, and its help ends, as that one's does, with how to talk to
the sandbox from any language.`,
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
	sandboxflags.Bind(fs)
	fs.SetOutput(a.out)
	fmt.Fprintf(a.out, "%s\n\nUsage:\n  iimmpact %s\n\nExamples:\n%s\n\nFlags (-flag and --flag alike):\n",
		cmd.Long, cmd.Use, cmd.Example)
	fs.PrintDefaults()
	fmt.Fprintf(a.out, "\n%s", iimmpacttest.WireGuide)
}

func runSandbox(cmd *cobra.Command, a *app, args []string) (err error) {
	fs := flag.NewFlagSet("iimmpact sandbox", flag.ContinueOnError)
	fs.SetOutput(a.err)
	s := sandboxflags.Bind(fs)
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
	if err := s.CheckCredentials(); err != nil {
		return usagef("%v", err)
	}
	// The fake's options panic on values that cannot work; report them.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("sandbox: %v", r)
		}
	}()
	opts, err := s.Options(a.err)
	if err != nil {
		return usagef("sandbox: %v", err)
	}
	srv := iimmpacttest.NewUnstartedServer(opts...)
	defer srv.Close()
	if err := srv.StartOn(s.Addr); err != nil {
		return err
	}
	fmt.Fprintf(a.out, "IIMMPACT sandbox listening\n  URL:         %s\n  API key:     %s\n  HMAC secret: %s\n",
		srv.URL, srv.APIKey, srv.HMACSecret)
	<-cmd.Context().Done()
	fmt.Fprintln(a.out, "shutting down")
	return nil
}
