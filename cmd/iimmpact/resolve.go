package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/payments"
	"github.com/spf13/cobra"
)

type resolveCmd struct {
	a      *app
	store  storeFlags
	limit  int
	asJSON bool
}

func newResolveCmd(a *app) *cobra.Command {
	r := &resolveCmd{a: a}
	cmd := &cobra.Command{
		Use:   "resolve",
		Short: "Run the payments layer's resolver once over the payments store and show what changed",
		Long: `resolve runs the payments layer's resolver (package payments) once against the
PostgreSQL payments store at the DSN (--dsn or IIMMPACT_DSN): every payment that is due
(recorded but unsent past its grace, sent, unknown, pending or manual) is asked about
again with its own refid and stored request, paced as the service's own resolver is, and
one open past the horizon is marked manual. It stops when nothing more is due, when a
payment comes due a second time, or after --limit payments.

It delivers no effects (crediting an order, sending a voucher): those it causes, and those
it finds owed, are left to your service's resolver, which delivers them as it always does.
It never changes the schema.

` + exitHelp,
		Example: `  export IIMMPACT_DSN=postgres://app@db/shop
  iimmpact resolve
  iimmpact resolve --json | jq '.changed[] | select(.to == "succeeded")'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return r.run(cmd.Context()) },
	}
	r.store.bind(cmd)
	cmd.Flags().IntVar(&r.limit, "limit", 1000, "stop after this many payments")
	jsonFlag(cmd, &r.asJSON)
	return cmd
}

type changeJSON struct {
	RefID  string   `json:"refid"`
	From   string   `json:"from"`
	To     string   `json:"to"`
	Status *int     `json:"status,omitempty"` // the IIMMPACT status that caused it
	Source string   `json:"source"`
	At     jsonTime `json:"at"`
}

type resolveJSON struct {
	Claimed     int          `json:"claimed"`
	Changed     []changeJSON `json:"changed"`
	Unchanged   int          `json:"unchanged"`
	EffectsOwed int          `json:"effects_owed"`
}

// claims remembers which payments the resolver claimed, so one run stops
// when a payment comes due again instead of chasing it.
type claims struct {
	payments.Store
	mu      sync.Mutex
	seen    map[string]bool
	repeat  bool
	changed map[string]bool
	out     resolveJSON
}

func (c *claims) Claim(ctx context.Context, now, until time.Time, limit int) ([]payments.Payment, error) {
	ps, err := c.Store.Claim(ctx, now, until, limit)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range ps {
		if c.seen[p.RefID()] {
			c.repeat = true
			continue
		}
		c.seen[p.RefID()] = true
		c.out.Claimed++
	}
	return ps, err
}

func (c *claims) onChange(_ context.Context, p payments.Payment, ch payments.Change) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.changed[p.RefID()] = true
	c.out.Changed = append(c.out.Changed, changeJSON{RefID: p.RefID(), From: ch.From.String(), To: ch.To.String(),
		Status: statusOf(ch), Source: string(ch.Source), At: jsonTime(ch.At)})
}

func (r *resolveCmd) run(ctx context.Context) error {
	if r.limit < 1 {
		return usagef("--limit %d: want at least 1", r.limit)
	}
	db, err := r.a.openPayments(ctx, &r.store)
	if err != nil {
		return err
	}
	defer db.close()
	c := &claims{Store: db.store, seen: map[string]bool{}, changed: map[string]bool{}, out: resolveJSON{Changed: []changeJSON{}}}
	m, err := db.manager(c, payments.WithOnChange(c.onChange))
	if err != nil {
		return err
	}
	for !c.repeat && c.out.Claimed < r.limit {
		n, err := m.ResolveOnce(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
	}
	if err := ctx.Err(); err != nil {
		return err // interrupted: what was done is recorded
	}
	return r.report(ctx, db.store, c)
}

// report counts the claimed payments left unchanged and those owing
// effects, then prints the run.
func (r *resolveCmd) report(ctx context.Context, store payments.Store, c *claims) error {
	out := &c.out
	for refID := range c.seen {
		if !c.changed[refID] {
			out.Unchanged++
		}
		p, err := store.Get(ctx, refID)
		if err != nil {
			return err
		}
		if p.EffectsDone < len(p.Effects) {
			out.EffectsOwed++
		}
	}
	if r.asJSON {
		return writeJSON(r.a.out, out)
	}
	w := r.a.out
	if out.Claimed == 0 {
		_, err := fmt.Fprintln(w, "Nothing was due: every payment is settled or waiting for its next check.")
		return err
	}
	fmt.Fprintf(w, "%d due payments asked about or handed on: %d changed, %d unchanged.\n",
		out.Claimed, out.Claimed-out.Unchanged, out.Unchanged)
	if len(out.Changed) > 0 {
		t := newTable(w, "REFID", "FROM", "TO", "STATUS", "SOURCE", "AT (GMT+8)")
		for _, ch := range out.Changed {
			t.row(ch.RefID, ch.From, ch.To, statusText(ch.Status), ch.Source, showTime(time.Time(ch.At)))
		}
		if err := t.flush(); err != nil {
			return err
		}
	}
	if out.EffectsOwed > 0 {
		fmt.Fprintf(w, "%d payments owe their effects (crediting the order, the voucher): your service's resolver delivers them.\n", out.EffectsOwed)
	}
	return nil
}

// statusOf is the IIMMPACT status that caused a change, or nil for a
// change no status caused (a lost answer, the horizon).
func statusOf(ch payments.Change) *int {
	switch ch.To {
	case payments.StatePending, payments.StateSucceeded, payments.StateFailed, payments.StateRefunded, payments.StateRejected:
	default:
		if ch.To != payments.StateManual || ch.Status == 0 {
			return nil
		}
	}
	code := int(ch.Status)
	return &code
}

func statusText(code *int) string {
	if code == nil {
		return "-"
	}
	return iimmpact.StatusCode(*code).String()
}
