package iimmpact

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/iimmpact-go/iimmpact/internal/wire"
)

// NetworkStatus is a product's health (GET /v2/networkstatus).
type NetworkStatus struct {
	ProductCode  string
	ProductName  string
	ProductImage string
	Status       string    // "Healthy" or "Interruption"
	LastUpdated  time.Time // GMT+8, from metadata.last_updated
}

// Healthy reports whether IIMMPACT sees no interruption. An interruption is
// advisory: warn the customer, but still allow checkout and payment.
func (n NetworkStatus) Healthy() bool { return strings.EqualFold(n.Status, "Healthy") }

// UnmarshalJSON reads the documented shape.
func (n *NetworkStatus) UnmarshalJSON(data []byte) error {
	var w struct {
		ProductCode  wire.String `json:"product_code"`
		ProductName  wire.String `json:"product_name"`
		ProductImage wire.String `json:"product_img"`
		Status       wire.String `json:"network_status"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*n = NetworkStatus{ProductCode: string(w.ProductCode), ProductName: string(w.ProductName),
		ProductImage: string(w.ProductImage), Status: string(w.Status)}
	return nil
}

// NetworkStatus returns the health of one product's network or biller.
func (c *Client) NetworkStatus(ctx context.Context, productCode string) (*NetworkStatus, error) {
	if productCode == "" {
		return nil, fmt.Errorf("%w: product code is empty", ErrInvalidRequest)
	}
	env, err := get[NetworkStatus](ctx, c, "/v2/networkstatus", url.Values{"product": {productCode}})
	if err != nil {
		return nil, err
	}
	env.Data.LastUpdated = env.meta().LastUpdated
	return env.Data, nil
}
