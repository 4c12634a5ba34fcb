package payments_test

import (
	"testing"

	"github.com/iimmpact-go/iimmpact/payments"
	"github.com/iimmpact-go/iimmpact/payments/paymentstest"
)

func TestMemoryStoreConformance(t *testing.T) {
	paymentstest.Run(t, func(*testing.T) payments.Store { return payments.NewMemoryStore() })
}
