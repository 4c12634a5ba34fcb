package iimmpact

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 11, defect 2: IIMMPACT's backend computes in floating point, so a
// genuine success can carry 50.540000000000006 or 1.0E-5. Such callbacks,
// POST and GET, are acknowledged, match the saved request (amount noise
// included) and act once; their retries are duplicates. They used to be
// answered 400, which IIMMPACT never retries.
func TestCallbackFloatNoiseIsActedOnOnce(t *testing.T) {
	t.Parallel()
	grab := string(fixture(t, "callback_post_grab_gift.json"))
	noisy := strings.NewReplacer(`"balance": 50.54`, `"balance": 50.540000000000006`,
		`"amount": 5,`, `"amount": 5.000000000000001,`, `"cost": 5,`, `"cost": 4.99999999999999999,`).Replace(grab)
	require.NotEqual(t, grab, noisy)
	exponent := strings.NewReplacer(`"balance": 50.54`, `"balance": 1.0E-5`, `"amount": 5,`, `"amount": 5.0E0,`).Replace(grab)
	require.NotEqual(t, grab, exponent)
	msg := strings.Replace(string(fixture(t, "callback_get_message_decoded.json")), `"balance": 50.54`, `"balance": 5.054E1`, 1)
	require.Contains(t, msg, "5.054E1")
	msg = strings.Replace(msg, `"cost": 9.73`, `"cost": 9.730000000000002`, 1)
	require.Contains(t, msg, "9.730000000000002")
	get := url.Values{"refid": {"1234t"}, "status": {"48"}, "price": {"9.730000000000002"}, "message": {msg}}.Encode()

	for _, tt := range []struct {
		name    string
		req     func() *http.Request
		balance string
	}{
		{"float noise", func() *http.Request { return fromIIMMPACT(postCallback([]byte(noisy))) }, "50.54"},
		{"exponent", func() *http.Request { return fromIIMMPACT(postCallback([]byte(exponent))) }, "0.00001"},
		{"GET with both", func() *http.Request { return fromIIMMPACT(getCallback(get)) }, "50.54"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHarness(t, nil)
			w := hs.serve(tt.req())
			require.Equal(t, http.StatusOK, w.Code, hs.logText())
			assert.JSONEq(t, `{"received":true}`, w.Body.String())
			for range 3 { // IIMMPACT's retries, had the answer been lost
				assert.Equal(t, http.StatusOK, hs.serve(tt.req()).Code)
			}
			seen := hs.handled()
			require.Len(t, seen, 1, "acted on once")
			assert.Equal(t, tt.balance, seen[0].Balance.String())
			assert.Equal(t, pendingPayments()[seen[0].RefID].Amount, seen[0].Amount, "the amount matches the saved request")
			assert.Contains(t, hs.logText(), "duplicate")
		})
	}
}
