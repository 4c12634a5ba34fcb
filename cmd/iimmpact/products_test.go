package main

import (
	"encoding/json"
	"testing"

	"github.com/iimmpact-go/iimmpact"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// catalog --json gives scripts every key of a pricing rule, typed or not.
func TestPricingJSONKeepsEveryKey(t *testing.T) {
	assert.Nil(t, pricingJSON(nil))
	for _, in := range []string{
		`{"model":"percentage_discount","discount_rate":1.5}`,
		`{"model":"tiered","tiers":[{"upto":100,"rate":1}],"cap":null}`,
		`{"discount_rate":-0.25}`,
	} {
		var p iimmpact.Pricing
		require.NoError(t, json.Unmarshal([]byte(in), &p))
		assert.JSONEq(t, in, string(pricingJSON(&p)))
	}
}
