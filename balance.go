package iimmpact

import (
	"context"
	"encoding/json"

	"github.com/iimmpact-go/iimmpact/internal/wire"
)

// Balance is the merchant wallet (GET /v2/balance). The balance already
// counts pending transactions.
type Balance struct {
	Account string
	Name    string
	Balance Amount
	Level   string // pricing group, e.g. "12"
	Access  int    // 0: full access; 50: read-only (cannot call Topup)
}

// AccessReadOnly is the Access level of keys that cannot pay.
const AccessReadOnly = 50

// CanTopup reports whether the account may call Topup.
func (b *Balance) CanTopup() bool { return b.Access != AccessReadOnly }

// UnmarshalJSON reads the documented shape, with numbers or strings alike.
func (b *Balance) UnmarshalJSON(data []byte) error {
	var w struct {
		Account wire.String `json:"account"`
		Name    wire.String `json:"name"`
		Balance Amount      `json:"balance"`
		Level   wire.String `json:"level"`
		Access  wire.Int    `json:"access"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*b = Balance{Account: string(w.Account), Name: string(w.Name), Balance: w.Balance, Level: string(w.Level), Access: int(w.Access)}
	return nil
}

// Balance returns the wallet balance. Check it before a batch of payments;
// it is also the cheapest call to prove credentials and signing work.
func (c *Client) Balance(ctx context.Context) (*Balance, error) {
	env, err := get[Balance](ctx, c, "/v2/balance", nil)
	if err != nil {
		return nil, err
	}
	return env.Data, nil
}
