package iimmpact

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requeryHarness is a harness whose handler confirms final statuses
// through a mocked IIMMPACT.
func requeryHarness(t *testing.T) (*harness, *httpmock.MockTransport) {
	client, mock := mockClient(t)
	hs := newHarness(t, func(c *CallbackConfig) { c.Requery = client })
	return hs, mock
}

func TestCallbackRequeryConfirmsAndWins(t *testing.T) {
	hs, mock := requeryHarness(t)
	mock.RegisterResponder("POST", "https://api.test.invalid/v2/topup", func(req *http.Request) (*http.Response, error) {
		body := checkSigned(t, req)
		want, _ := json.Marshal(seedTopup())
		assert.JSONEq(t, string(want), string(body), "the re-query repeats the merchant's request")
		return newResponse(200, fixture(t, "topup_success.json")), nil
	})
	// The callback claims another serial number; IIMMPACT's own answer wins.
	body := strings.Replace(string(fixture(t, "callback_post_digi.json")), "DG250115000187", "FORGED", 1)
	w := hs.serve(fromIIMMPACT(postCallback([]byte(body))))
	require.Equal(t, http.StatusOK, w.Code)
	seen := hs.handled()
	require.Len(t, seen, 1)
	assert.Equal(t, "DG250115000187", seen[0].SN)
	assert.Equal(t, http.MethodPost, seen[0].Method)
	assert.Equal(t, 1, mock.GetTotalCallCount())

	// A duplicate is acknowledged from the store, without asking again.
	assert.Equal(t, http.StatusOK, hs.serve(seedPost(t, "callback_post_digi.json")).Code)
	assert.Equal(t, 1, mock.GetTotalCallCount())
}

func TestCallbackRequeryPendingCallbacksAreNotRequeried(t *testing.T) {
	hs, mock := requeryHarness(t)
	assert.Equal(t, http.StatusOK, hs.serve(digiWithStatus(t, StatusProcessing, "Processing")).Code)
	assert.Equal(t, 0, mock.GetTotalCallCount())
	assert.Len(t, hs.handled(), 1)
}

func TestCallbackRequeryUnknownOutcomeIsRetried(t *testing.T) {
	hs, mock := requeryHarness(t)
	respond(t, mock, "POST", "/v2/topup", 502, []byte(`<html>bad gateway</html>`))
	w := hs.serve(seedPost(t, "callback_post_digi.json"))
	assert.Equal(t, http.StatusServiceUnavailable, w.Code)
	assert.Equal(t, "60", w.Header().Get("Retry-After"))
	assert.Empty(t, hs.handled())
	assert.Contains(t, hs.logText(), "re-query failed")

	respond(t, mock, "POST", "/v2/topup", 200, fixture(t, "topup_processing.json"))
	assert.Equal(t, http.StatusServiceUnavailable, hs.serve(seedPost(t, "callback_post_digi.json")).Code)
	assert.Empty(t, hs.handled(), "a final status IIMMPACT does not confirm is not trusted")
	assert.Contains(t, hs.logText(), "re-query still pending")

	respond(t, mock, "POST", "/v2/topup", 200, fixture(t, "topup_success.json"))
	assert.Equal(t, http.StatusOK, hs.serve(seedPost(t, "callback_post_digi.json")).Code, "the claim was released each time")
	assert.Len(t, hs.handled(), 1)
}

func TestCallbackRequeryDisagreesOnTheFinalStatus(t *testing.T) {
	hs, mock := requeryHarness(t)
	respond(t, mock, "POST", "/v2/topup", 200, fixture(t, "topup_failed.json"))
	// The callback says Succesful; IIMMPACT says Failed (48).
	assert.Equal(t, http.StatusOK, hs.serve(seedPost(t, "callback_post_digi.json")).Code)
	seen := hs.handled()
	require.Len(t, seen, 1)
	assert.Equal(t, StatusRejectedByProvider, seen[0].StatusCode)
	assert.Equal(t, OutcomeFailed, seen[0].Outcome())

	// Repeats of the claim and the real Failed callback act no more.
	assert.Equal(t, http.StatusOK, hs.serve(seedPost(t, "callback_post_digi.json")).Code)
	assert.Equal(t, http.StatusOK, hs.serve(digiWithStatus(t, StatusRejectedByProvider, "Failed")).Code)
	assert.Len(t, hs.handled(), 1)
}
