package iimmpact

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// NetworkStatus is a product's health (GET /v2/networkstatus).
type NetworkStatus struct {
	ProductCode  string    `wire:"product_code"`
	ProductName  string    `wire:"product_name"`
	ProductImage string    `wire:"product_img"`
	Status       string    `wire:"network_status"` // "Healthy" or "Interruption"
	LastUpdated  time.Time // GMT+8, from metadata.last_updated
}

// Healthy reports whether IIMMPACT sees no interruption. An interruption is
// advisory: warn the customer, but still allow checkout and payment.
func (n NetworkStatus) Healthy() bool { return strings.EqualFold(n.Status, "Healthy") }

// NetworkStatus returns the health of one product's network or biller.
func (c *Client) NetworkStatus(ctx context.Context, productCode string) (*NetworkStatus, error) {
	if productCode == "" {
		return nil, fmt.Errorf("%w: product code is empty", ErrInvalidRequest)
	}
	return unwrap[NetworkStatus](ctx, c, getCall("/v2/networkstatus", url.Values{"product": {productCode}}))
}

func (n *NetworkStatus) stamp(t time.Time) { n.LastUpdated = t }
