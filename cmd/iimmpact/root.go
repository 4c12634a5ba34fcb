package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/iimmpact-go/iimmpact"
	iimmpactotel "github.com/iimmpact-go/iimmpact/otel"
	"github.com/spf13/cobra"
)

// streams are where a command writes. They are *os.File in the real
// program, which is how a progress line finds out whether it is on a
// terminal; tests pass files or pipes too.
type streams struct {
	out, err io.Writer
}

// app is what every command shares: its streams, the environment and the
// configuration the persistent flags fill in.
type app struct {
	streams
	env func(string) (string, bool)
	cfg config
	ran bool // a command's RunE started: errors from now on are not about usage

	obs      *iimmpactotel.Observer      // --otel: built once, on the first client
	shutdown func(context.Context) error // flushes --otel's exporters; nil if none
}

// run executes one command line and returns the process's exit status.
func run(ctx context.Context, args []string, s streams, env func(string) (string, bool)) int {
	a := &app{streams: s, env: env}
	root := newRootCmd(a)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if a.shutdown != nil {
		err = errors.Join(err, a.shutdown(context.WithoutCancel(ctx)))
	}
	var ec *exitCodeError
	switch {
	case err == nil:
	case errors.As(err, &ec) && ec.err == nil:
	default:
		fmt.Fprintln(a.err, errLine(err))
		var ue *usageError
		if errors.As(err, &ue) || !a.ran {
			fmt.Fprintln(a.err, "Run 'iimmpact --help' or 'iimmpact COMMAND --help' for usage.")
		}
	}
	return exitCode(err)
}

// newRootCmd builds the command tree. A new command is one file with a
// newXCmd(a) constructor and one line here.
func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "iimmpact",
		Short: "Operate an IIMMPACT v2 integration: wallet, products, payments, history, callbacks",
		Long: `iimmpact talks to IIMMPACT's v2 API with your API key and HMAC secret.

Configuration (a flag wins over the environment):
  IIMMPACT_API_KEY       API key (or --api-key)
  IIMMPACT_HMAC_SECRET   Base64 HMAC secret (or --hmac-secret-file; never a flag of its own,
                         so it stays out of shell history and the process list)
  IIMMPACT_BASE_URL      API host (or --base-url); --staging uses ` + iimmpact.StagingURL + `
  IIMMPACT_DSN           payments store DSN (or --dsn), for the commands that use the store
  IIMMPACT_OTEL          stdout or stderr: export OpenTelemetry traces and metrics (or --otel)

Secrets are never printed, not even with --verbose.

Human output: aligned tables, money as "RM 29.40", times in GMT+8.
Machine output: --json on every read command.

` + exitHelp,
		Example: `  export IIMMPACT_API_KEY=iimm_prod_... IIMMPACT_HMAC_SECRET=...
  iimmpact balance
  iimmpact tx ORDER-0001 --date 2025-01-15
  iimmpact history --date 2025-01-15 --status FAILED --json`,
		Version:       iimmpact.Version, // the SDK it is built with
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(a.out)
	root.SetErr(a.err)
	root.CompletionOptions.DisableDefaultCmd = true
	a.cfg.bind(root.PersistentFlags())
	root.AddCommand(
		newBalanceCmd(a),
		newProductsCmd(a),
		newCatalogCmd(a),
		newStatusCmd(a),
		newTopupCmd(a),
		newTxCmd(a),
		newHistoryCmd(a),
		newListenCmd(a),
		newSandboxCmd(a),
		newResolveCmd(a),
		newReconcileCmd(a),
	)
	markRuns(root, a)
	return root
}

// markRuns notes when a command's own work begins, so that run can tell a
// command line cobra refused (flags, arguments) from a failure of the work.
func markRuns(c *cobra.Command, a *app) {
	if runE := c.RunE; runE != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error {
			a.ran = true
			return runE(cmd, args)
		}
	}
	for _, sub := range c.Commands() {
		markRuns(sub, a)
	}
}

// jsonFlag adds the --json flag every read command takes.
func jsonFlag(cmd *cobra.Command, p *bool) {
	cmd.Flags().BoolVar(p, "json", false, "print JSON for scripts instead of a table")
}

// errLine is an error as one stderr line, prefixed once with the command's
// name (the SDK's errors already carry it).
func errLine(err error) string {
	if msg := err.Error(); strings.HasPrefix(msg, "iimmpact:") {
		return msg
	}
	return "iimmpact: " + err.Error()
}
