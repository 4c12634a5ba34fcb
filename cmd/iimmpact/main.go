// Command iimmpact is the command line for the people who run an IIMMPACT
// integration: support staff answering "did order X go through?", and
// engineers setting up a callback URL or trying a payment by hand.
//
//	go -C cmd/iimmpact install .     # from a checkout of the SDK
//	export IIMMPACT_API_KEY=iimm_prod_... IIMMPACT_HMAC_SECRET=...
//	iimmpact balance
//	iimmpact tx ORDER-0001 --date 2025-01-15
//	iimmpact history --date 2025-01-15 --status FAILED --csv > failed.csv
//
// Every command has --help with an example. Read commands take --json;
// human output uses aligned tables, money as "RM 29.40" and times in GMT+8.
// The exit status is documented in "iimmpact --help": scripts may rely on it.
//
// The module builds against the SDK in the same checkout (replace => ../..),
// so "go install ...@latest" refuses it until it requires a tagged release.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], streams{out: os.Stdout, err: os.Stderr}, os.LookupEnv)
	stop()
	os.Exit(code)
}
