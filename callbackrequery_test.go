package iimmpact

import (
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requeryHarness is a harness whose handler confirms final statuses
// through a mocked IIMMPACT. It fails the test if anything POSTs /v2/topup.
func requeryHarness(t *testing.T) (*harness, *httpmock.MockTransport) {
	client, mock := mockClient(t)
	mock.RegisterResponder("POST", "https://api.test.invalid/v2/topup", func(*http.Request) (*http.Response, error) {
		t.Error("a re-query sent /v2/topup: it could create the payment")
		return newResponse(500, nil), nil
	})
	hs := newHarness(t, func(c *CallbackConfig) { c.Requery = client })
	return hs, mock
}

// history answers GET /v2/transactions with the seed record, its status
// and status name replaced when code is not "".
func history(t *testing.T, mock *httpmock.MockTransport, code, name string) {
	body := string(fixture(t, "transactions.json"))
	if code != "" {
		body = strings.Replace(body, `"status_code": "20"`, `"status_code": "`+code+`"`, 1)
		body = strings.Replace(body, `"status_name": "Successful"`, `"status_name": "`+name+`"`, 1)
	}
	respond(t, mock, "GET", "/v2/transactions", 200, []byte(body))
}

func TestCallbackRequeryConfirmsAndWins(t *testing.T) {
	t.Parallel()
	hs, mock := requeryHarness(t)
	mock.RegisterResponder("GET", "https://api.test.invalid/v2/transactions", func(req *http.Request) (*http.Response, error) {
		checkSigned(t, req)
		q := req.URL.Query()
		assert.Equal(t, "2025-01-14 - 2025-01-15", q.Get("date"), "the callback's day and the day before")
		assert.Equal(t, "0123456789", q.Get("account"))
		assert.Equal(t, "D", q.Get("product"))
		return newResponse(200, fixture(t, "transactions.json")), nil
	})
	// The callback claims another serial number; IIMMPACT's own record wins.
	body := strings.Replace(string(fixture(t, "callback_post_digi.json")), "DG250115000187", "FORGED", 1)
	w := hs.serve(fromIIMMPACT(postCallback([]byte(body))))
	require.Equal(t, http.StatusOK, w.Code)
	seen := hs.handled()
	require.Len(t, seen, 1)
	assert.Equal(t, "DG250115000187", seen[0].SN)
	assert.Equal(t, "Succesful", seen[0].Status, "the callback's word, since the status agrees")
	assert.Equal(t, MustParseAmount("29.4"), seen[0].Cost)
	assert.Equal(t, http.MethodPost, seen[0].Method)
	assert.Equal(t, 1, mock.GetTotalCallCount())

	// A duplicate is acknowledged from the store, without asking again.
	assert.Equal(t, http.StatusOK, hs.serve(seedPost(t, "callback_post_digi.json")).Code)
	assert.Equal(t, 1, mock.GetTotalCallCount())
}

func TestCallbackRequeryPendingCallbacksAreNotRequeried(t *testing.T) {
	t.Parallel()
	hs, mock := requeryHarness(t)
	assert.Equal(t, http.StatusOK, hs.serve(digiWithStatus(t, StatusProcessing, "Processing")).Code)
	assert.Equal(t, 0, mock.GetTotalCallCount())
	assert.Len(t, hs.handled(), 1)
}

func TestCallbackRequeryUnconfirmedIsRetried(t *testing.T) {
	t.Parallel()
	hs, mock := requeryHarness(t)
	respond(t, mock, "GET", "/v2/transactions", 502, []byte(`<html>bad gateway</html>`))
	w := hs.serve(seedPost(t, "callback_post_digi.json"))
	assert.Equal(t, http.StatusServiceUnavailable, w.Code)
	assert.Equal(t, "60", w.Header().Get("Retry-After"))
	assert.Empty(t, hs.handled())
	assert.Contains(t, hs.logText(), "re-query failed")

	respond(t, mock, "GET", "/v2/transactions", 200, []byte(`{"data":[],"meta":{}}`))
	assert.Equal(t, http.StatusServiceUnavailable, hs.serve(seedPost(t, "callback_post_digi.json")).Code)
	assert.Empty(t, hs.handled(), "a refid IIMMPACT does not list is not acted on")
	assert.Contains(t, hs.logText(), "not in the history yet")

	history(t, mock, "1", "Pending")
	assert.Equal(t, http.StatusServiceUnavailable, hs.serve(seedPost(t, "callback_post_digi.json")).Code)
	assert.Empty(t, hs.handled(), "a final status IIMMPACT does not confirm is not trusted")
	assert.Contains(t, hs.logText(), "re-query still pending")

	history(t, mock, "", "")
	assert.Equal(t, http.StatusOK, hs.serve(seedPost(t, "callback_post_digi.json")).Code, "the claim was released each time")
	assert.Len(t, hs.handled(), 1)
}

func TestCallbackRequeryDisagreesOnTheFinalStatus(t *testing.T) {
	t.Parallel()
	hs, mock := requeryHarness(t)
	history(t, mock, "48", "Failed")
	// The callback says Succesful; IIMMPACT says Failed (48): Failed is
	// acted on, and the Succesful, unconfirmed, is not acknowledged.
	assert.Equal(t, http.StatusServiceUnavailable, hs.serve(seedPost(t, "callback_post_digi.json")).Code)
	seen := hs.handled()
	require.Len(t, seen, 1)
	assert.Equal(t, StatusRejectedByProvider, seen[0].StatusCode)
	assert.Equal(t, "Failed", seen[0].Status)
	assert.Equal(t, OutcomeFailed, seen[0].Outcome())
	assert.Contains(t, hs.logText(), "not yet the callback's 20")

	// Repeats of the claim stay unconfirmed; the real Failed callback is a
	// duplicate. Nothing acts again.
	assert.Equal(t, http.StatusServiceUnavailable, hs.serve(seedPost(t, "callback_post_digi.json")).Code)
	assert.Equal(t, http.StatusOK, hs.serve(digiWithStatus(t, StatusRejectedByProvider, "Failed")).Code)
	assert.Len(t, hs.handled(), 1)
}

// The history can lag behind a callback: a Refund whose record still says
// Succesful acts on the success (if it was not handled yet) but is not
// acknowledged until the history shows the refund, which then acts.
func TestCallbackRequeryWaitsForALaggingHistory(t *testing.T) {
	t.Parallel()
	hs, mock := requeryHarness(t)
	history(t, mock, "", "") // still Successful
	refund := func() *http.Request { return digiWithStatus(t, StatusRefund, "Refund") }
	assert.Equal(t, http.StatusServiceUnavailable, hs.serve(refund()).Code)
	assert.Equal(t, http.StatusServiceUnavailable, hs.serve(refund()).Code)
	require.Len(t, hs.handled(), 1)
	assert.Equal(t, StatusSuccessful, hs.handled()[0].StatusCode)

	history(t, mock, "53", "Refund")
	assert.Equal(t, http.StatusOK, hs.serve(refund()).Code)
	assert.Equal(t, http.StatusOK, hs.serve(refund()).Code, "a duplicate")
	require.Len(t, hs.handled(), 2)
	assert.Equal(t, StatusRefund, hs.handled()[1].StatusCode)

	// A success delivered after the refund is stale, confirmed or not.
	assert.Equal(t, http.StatusOK, hs.serve(seedPost(t, "callback_post_digi.json")).Code)
	assert.Len(t, hs.handled(), 2)
}

// A history record without a status code is trusted only if its word
// agrees with the callback.
func TestCallbackRequeryRecordWithoutCode(t *testing.T) {
	t.Parallel()
	hs, mock := requeryHarness(t)
	body := strings.Replace(string(fixture(t, "transactions.json")), `"status_code": "20",`, ``, 1)
	respond(t, mock, "GET", "/v2/transactions", 200, []byte(body))
	assert.Equal(t, http.StatusOK, hs.serve(seedPost(t, "callback_post_digi.json")).Code)
	require.Len(t, hs.handled(), 1)
	assert.Equal(t, StatusSuccessful, hs.handled()[0].StatusCode)

	hs2, mock2 := requeryHarness(t)
	respond(t, mock2, "GET", "/v2/transactions", 200, []byte(strings.Replace(body, `"Successful"`, `"Refund"`, 1)))
	assert.Equal(t, http.StatusServiceUnavailable, hs2.serve(seedPost(t, "callback_post_digi.json")).Code)
	assert.Empty(t, hs2.handled())
}
