package main

import (
	"github.com/iimmpact-go/iimmpact"
	"github.com/spf13/cobra"
)

type balanceJSON struct {
	Account  string          `json:"account"`
	Name     string          `json:"name"`
	Balance  iimmpact.Amount `json:"balance"`
	Level    string          `json:"level"`
	Access   int             `json:"access"`
	CanTopup bool            `json:"can_topup"`
}

func newBalanceCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "balance",
		Short: "Show the wallet balance (pending payments already counted)",
		Example: `  iimmpact balance
  iimmpact balance --json | jq .balance`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			b, err := c.Balance(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.out, balanceJSON{b.Account, b.Name, b.Balance, b.Level, b.Access, b.CanTopup()})
			}
			access := "full (may pay)"
			if !b.CanTopup() {
				access = "read-only (cannot pay)"
			}
			return fields(a.out, "Account", b.Account, "Name", b.Name, "Balance", money(b.Balance),
				"Level", orDash(b.Level), "Access", access)
		},
	}
	jsonFlag(cmd, &asJSON)
	return cmd
}
