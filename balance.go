package iimmpact

import (
	"context"
)

// Balance is the merchant wallet (GET /v2/balance). The balance already
// counts pending transactions.
type Balance struct {
	Account string `wire:"account"`
	Name    string `wire:"name"`
	Balance Amount `wire:"balance"`
	Level   string `wire:"level"`  // pricing group, e.g. "12"
	Access  int    `wire:"access"` // 0: full access; 50: read-only (cannot call Topup)
}

// AccessReadOnly is the Access level of keys that cannot pay.
const AccessReadOnly = 50

// CanTopup reports whether the account may call Topup.
func (b *Balance) CanTopup() bool { return b.Access != AccessReadOnly }

// Balance returns the wallet balance. Check it before a batch of payments;
// it is also the cheapest call to prove credentials and signing work.
func (c *Client) Balance(ctx context.Context) (*Balance, error) {
	return unwrap[Balance](ctx, c, getCall("/v2/balance", nil))
}
