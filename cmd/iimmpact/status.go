package main

import (
	"github.com/iimmpact-go/iimmpact"
	"github.com/spf13/cobra"
)

type networkStatusJSON struct {
	Product     string   `json:"product"`
	Name        string   `json:"name"`
	Status      string   `json:"status"`
	Healthy     bool     `json:"healthy"`
	LastUpdated jsonTime `json:"last_updated"`
}

func newStatusCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status PRODUCT...",
		Short: "Show the network status of products (an interruption is advisory: payments still go)",
		Example: `  iimmpact status D
  iimmpact status D C M --json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			var all []*iimmpact.NetworkStatus
			for _, code := range args {
				ns, err := c.NetworkStatus(cmd.Context(), code)
				if err != nil {
					return err
				}
				all = append(all, ns)
			}
			if asJSON {
				out := make([]networkStatusJSON, 0, len(all))
				for _, ns := range all {
					out = append(out, networkStatusJSON{ns.ProductCode, ns.ProductName, ns.Status, ns.Healthy(), jsonTime(ns.LastUpdated)})
				}
				return writeJSON(a.out, out)
			}
			t := newTable(a.out, "PRODUCT", "NAME", "STATUS", "UPDATED (GMT+8)")
			for _, ns := range all {
				t.row(ns.ProductCode, orDash(ns.ProductName), ns.Status, showTime(ns.LastUpdated))
			}
			return t.flush()
		},
	}
	jsonFlag(cmd, &asJSON)
	return cmd
}
