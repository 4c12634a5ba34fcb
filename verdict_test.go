package iimmpact

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// raw answers with a status, a body and optional header pairs.
func raw(status int, body string, header ...string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(status)
		w.Write([]byte(body))
	}
}

// requireUnknown checks err is an unknown outcome of the seed refid whose
// cause, reachable with errors.As, is an *APIError with the given status.
func requireUnknown(t *testing.T, err error, cause int) *OutcomeUnknownError {
	t.Helper()
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	assert.Equal(t, seedTopup().RefID, ou.RefID)
	if cause != 0 {
		var ae *APIError
		require.ErrorAs(t, err, &ae, "the last answer stays visible")
		assert.Equal(t, cause, ae.HTTPStatus)
	}
	return ou
}

// Once an attempt may have been processed, no later refusal can say that
// nothing was created: 503-then-403, -400, -401, a 429 on the last attempt.
func TestTopupUnknownIsSticky(t *testing.T) {
	t.Parallel()
	for name, tt := range map[string]struct {
		first func(http.ResponseWriter)
		then  int
	}{
		"503 then 403":       {send(t, 503, ""), 403},
		"503 then 400":       {send(t, 503, ""), 400},
		"408 then 401":       {send(t, 408, ""), 401},
		"truncated then 400": {raw(200, `{"data":{"statusCode":1,`), 400},
		"500 then 429 last":  {send(t, 500, ""), 429},
	} {
		t.Run(name, func(t *testing.T) {
			c, s := scriptServer(t, tt.first, raw(tt.then, `{"message":"refused"}`, "Retry-After", "0"))
			tx, err := c.Topup(context.Background(), seedTopup())
			assert.Nil(t, tx)
			requireUnknown(t, err, tt.then)
			assert.EqualValues(t, 2, s.n.Load())
		})
	}
}

// The other ways a call can stop after an unknown attempt are unknown too:
// an over-long Retry-After, an exhausted budget, a cancelled ctx.
func TestTopupUnknownIsStickyWhenGivingUp(t *testing.T) {
	t.Parallel()
	t.Run("retry-after too long", func(t *testing.T) {
		c, _ := scriptServer(t, send(t, 502, ""), raw(429, `{}`, "Retry-After", "3600"))
		_, err := c.Topup(context.Background(), seedTopup())
		requireUnknown(t, err, 429)
	})
	t.Run("retry-after overflowing", func(t *testing.T) {
		c, s := scriptServer(t, send(t, 502, ""), raw(429, `{}`, "Retry-After", "9223372037"), send(t, 200, "topup_success.json"))
		_, err := c.Topup(context.Background(), seedTopup())
		requireUnknown(t, err, 429)
		assert.EqualValues(t, 2, s.n.Load(), "an unrepresentable Retry-After ends the retries, never 'retry now'")
	})
	t.Run("budget exhausted", func(t *testing.T) {
		c, _ := scriptServer(t, send(t, 500, ""), send(t, 429, ""))
		c.budget = newTokenBucket(1, time.Hour)
		_, err := c.Topup(context.Background(), seedTopup())
		requireUnknown(t, err, 429)
	})
	t.Run("context cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		c, _ := scriptServer(t, send(t, 503, ""), send(t, 403, ""))
		c.retry.OnRetry = func(RetryEvent) { cancel() } // cancelled while waiting to retry
		_, err := c.Topup(ctx, seedTopup())
		requireUnknown(t, err, 503)
	})
}

// A refusal of every attempt still says nothing was created.
func TestTopupRefusedEveryTimeIsKnown(t *testing.T) {
	t.Parallel()
	c, s := scriptServer(t, raw(429, `{}`, "Retry-After", "0"), send(t, 403, ""))
	_, err := c.Topup(context.Background(), seedTopup())
	assert.ErrorIs(t, err, ErrForbidden)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown)
	assert.EqualValues(t, 2, s.n.Load())
}

// A 2xx about another refid, product, account or amount is not this
// request's status.
func TestTopupAnswerMustBeForThisRequest(t *testing.T) {
	t.Parallel()
	good := string(fixture(t, "topup_success.json"))
	for name, body := range map[string]string{
		"refid":   strings.ReplaceAll(good, "digi-reload-20250115-001", "digi-reload-20250115-002"),
		"product": strings.Replace(good, `"product": "D"`, `"product": "M"`, 1),
		"account": strings.Replace(good, `"account": "0123456789"`, `"account": "0123456780"`, 1),
		"amount":  strings.Replace(good, `"amount": 30,`, `"amount": 30.01,`, 1),
	} {
		t.Run(name, func(t *testing.T) {
			require.NotEqual(t, good, body, "the fixture changed shape")
			c, _ := scriptServer(t, raw(200, body))
			tx, err := c.Topup(context.Background(), seedTopup())
			assert.Nil(t, tx)
			requireUnknown(t, err, 0)
			assert.ErrorIs(t, err, ErrMalformedResponse)
		})
	}
	c, _ := scriptServer(t, raw(200, strings.Replace(good, `"amount": 30,`, `"amount": "30.00",`, 1)))
	_, err := c.Topup(context.Background(), seedTopup())
	assert.NoError(t, err, "the same amount written otherwise is the same amount")
}

// A duplicate refid is its own sentinel and never "nothing created"; an
// HTTP 200 Failed 54 is a final failure of this refid.
func TestDuplicateRefID(t *testing.T) {
	t.Parallel()
	c, s := scriptServer(t, raw(400, `{"data":{"statusCode":54,"status":"Failed","remarks":"Duplicate_RefID","refid":"digi-reload-20250115-001"}}`))
	tx, err := c.WaitTopup(context.Background(), seedTopup(), quickPolls)
	assert.Nil(t, tx)
	assert.ErrorIs(t, err, ErrDuplicateRefID)
	requireUnknown(t, err, 400)
	assert.EqualValues(t, 1, s.n.Load(), "asking again cannot help")
	assert.Contains(t, err.Error(), "never reuse the refid")

	failed := strings.Replace(string(fixture(t, "topup_failed.json")), `"statusCode": 48`, `"statusCode": 54`, 1)
	c, _ = scriptServer(t, raw(200, failed))
	tx, err = c.Topup(context.Background(), seedTopup())
	require.NoError(t, err)
	assert.Equal(t, StatusDuplicateOrLimit, tx.StatusCode)
	assert.True(t, tx.StatusCode.IsFailure())
}

// WaitTopup: once a poll may have been processed or a pending status was
// seen, every later way out is unknown, and Last keeps the last state.
func TestWaitTopupUnknownIsSticky(t *testing.T) {
	t.Parallel()
	for name, tt := range map[string]struct {
		steps    []func(http.ResponseWriter)
		last     bool
		requests int32
	}{
		"pending then 400":   {[]func(http.ResponseWriter){send(t, 200, "topup_processing.json"), send(t, 400, "topup_400_invalid_denomination.json")}, true, 2},
		"pending then 403":   {[]func(http.ResponseWriter){send(t, 200, "topup_processing.json"), send(t, 403, "")}, true, 2},
		"lost then 401":      {[]func(http.ResponseWriter){send(t, 503, ""), send(t, 503, ""), send(t, 401, "")}, false, 3},
		"pending, lost, 403": {[]func(http.ResponseWriter){send(t, 200, "topup_processing.json"), send(t, 500, ""), send(t, 500, ""), send(t, 403, "")}, true, 4},
	} {
		t.Run(name, func(t *testing.T) {
			c, s := scriptServer(t, tt.steps...)
			tx, err := c.WaitTopup(context.Background(), seedTopup(), quickPolls)
			ou := requireUnknown(t, err, 0)
			if tt.last {
				require.NotNil(t, tx)
				assert.Equal(t, StatusProcessing, tx.StatusCode)
				assert.Same(t, tx, ou.Last)
			}
			assert.Equal(t, tt.requests, s.n.Load())
		})
	}
}

// WaitTopup stops at the first 403 (more polls only extend a ban) and
// honours a 429's Retry-After instead of polling through it.
func TestWaitTopupForbiddenAndRetryAfter(t *testing.T) {
	t.Parallel()
	c, s := scriptServer(t, send(t, 200, "topup_processing.json"), send(t, 403, ""), send(t, 200, "topup_success.json"))
	_, err := c.WaitTopup(context.Background(), seedTopup(), quickPolls)
	assert.ErrorIs(t, err, ErrForbidden)
	assert.EqualValues(t, 2, s.n.Load())

	c, s = scriptServer(t, send(t, 200, "topup_processing.json"), raw(429, `{}`, "Retry-After", "1"), send(t, 200, "topup_success.json"))
	c.retry.MaxAttempts = 1
	start := time.Now()
	tx, err := c.WaitTopup(context.Background(), seedTopup(), quickPolls)
	require.NoError(t, err)
	assert.Equal(t, StatusSuccessful, tx.StatusCode)
	assert.GreaterOrEqual(t, time.Since(start), time.Second, "Retry-After: 1 is waited out")
	assert.EqualValues(t, 3, s.n.Load())

	c, s = scriptServer(t, send(t, 200, "topup_processing.json"), raw(429, `{}`, "Retry-After", "600"))
	c.retry.MaxAttempts = 1
	start = time.Now()
	tx, err = c.WaitTopup(context.Background(), seedTopup(), quickPolls, WithWaitTimeout(10*time.Second))
	requireUnknown(t, err, 429)
	assert.Equal(t, StatusProcessing, tx.StatusCode)
	assert.Less(t, time.Since(start), 5*time.Second, "a Retry-After past the deadline ends the wait now")
	assert.EqualValues(t, 2, s.n.Load())
}

// WaitTopup refuses a poll interval below the floor: 1 s against IIMMPACT,
// 1 ms against a loopback fake, never 0.
func TestWaitTopupPollFloor(t *testing.T) {
	t.Parallel()
	remote, mock := mockClient(t)
	for _, o := range []WaitOption{WithPollInterval(0, 0), WithPollInterval(500*time.Millisecond, time.Second)} {
		_, err := remote.WaitTopup(context.Background(), seedTopup(), o)
		assert.ErrorIs(t, err, ErrInvalidRequest)
	}
	assert.Zero(t, mock.GetTotalCallCount())
	local, s := scriptServer(t, send(t, 200, "topup_success.json"))
	_, err := local.WaitTopup(context.Background(), seedTopup(), WithPollInterval(0, 0))
	assert.ErrorIs(t, err, ErrInvalidRequest)
	assert.Zero(t, s.n.Load())
}

// A 400 without statusCode, or with "" or null, is "no status code", not 0.
func TestNoStatusCodeIsNotAccepted(t *testing.T) {
	t.Parallel()
	for _, body := range []string{`{"data":{"remarks":"x"}}`, `{"data":{"statusCode":"","remarks":"x"}}`, `{"data":{"statusCode":null,"remarks":"x"}}`} {
		e := newAPIError(400, []byte(body))
		assert.False(t, e.HasStatusCode, body)
		assert.Equal(t, "x", e.Remarks, body)
		assert.NotContains(t, e.Error(), "statusCode", body)
	}
	e := newAPIError(400, []byte(`{"data":{"statusCode":0}}`))
	assert.True(t, e.HasStatusCode)
	assert.Contains(t, e.Error(), "statusCode 0 (accepted)")

	for _, code := range []string{`""`, `null`, `" "`} {
		var tx Transaction
		err := tx.UnmarshalJSON([]byte(`{"statusCode":` + code + `,"refid":"r"}`))
		assert.ErrorIs(t, err, errNoStatusCode, code)
		var rec TransactionRecord
		require.NoError(t, rec.UnmarshalJSON([]byte(`{"status_code":`+code+`,"status_name":"Processing"}`)))
		assert.Equal(t, noStatusCode, rec.StatusCode, code)
	}
	var rec TransactionRecord
	require.NoError(t, rec.UnmarshalJSON([]byte(`{"status_code":"77","status_name":"Failed"}`)))
	assert.Equal(t, OutcomeUnknown, rec.Outcome(), "an undocumented code is never failed from its word")
}

// Both of IIMMPACT's 400 validation forms come out as typed field errors.
func TestValidationErrorForms(t *testing.T) {
	t.Parallel()
	laravel := newAPIError(400, []byte(`{"message":"The given data was invalid.","errors":{"amount":["The amount must be an integer."],"account":["The account field is required.","The account format is invalid."]}}`))
	assert.False(t, laravel.HasStatusCode)
	assert.Equal(t, []FieldError{
		{Field: "account", Messages: []string{"The account field is required.", "The account format is invalid."}},
		{Field: "amount", Messages: []string{"The amount must be an integer."}},
	}, laravel.Fields)
	assert.Equal(t, "iimmpact: HTTP 400 Bad Request: The given data was invalid.; account: The account field is required. The account format is invalid.; amount: The amount must be an integer.", laravel.Error())

	code58 := newAPIError(400, []byte(`{"data":{"statusCode":58,"status":"Failed","remarks":"The amount must be an integer.","refid":"r"}}`))
	assert.Equal(t, []FieldError{{Field: "amount", Messages: []string{"The amount must be an integer."}}}, code58.Fields)
	assert.Equal(t, "iimmpact: HTTP 400 Bad Request: The amount must be an integer.; amount: The amount must be an integer. (statusCode 58 (invalid amount, account or denomination))", code58.Error())

	denom := newAPIError(400, fixture(t, "topup_400_invalid_denomination.json"))
	assert.Nil(t, denom.Fields, "a remarks code names no field")
	assert.Equal(t, "Invalid_Denomination", denom.Remarks)
}

// APIError.Message is redacted like Body: IC numbers and PINs never reach
// an error string.
func TestErrorMessagesAreRedacted(t *testing.T) {
	t.Parallel()
	e := newAPIError(400, []byte(`{"message":"IC 900101-14-5678 does not match; pin: 8841 2290","errors":{"ic_number":["The ic number 900101145678 is invalid."]}}`))
	s := e.Error()
	for _, secret := range []string{"900101-14-5678", "900101145678", "8841"} {
		assert.NotContains(t, s, secret)
		assert.NotContains(t, e.Message, secret)
	}
	assert.Contains(t, s, "[REDACTED]")
	assert.Contains(t, s, "ic_number", "the field name stays")
}

// Redirects are never followed: the 3xx comes back as an error (for a
// payment, an unknown outcome), and the signed headers and API key never
// reach the other origin.
func TestRedirectsAreNeverFollowed(t *testing.T) {
	t.Parallel()
	var elsewhere atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		w.Write(fixture(t, "topup_success.json"))
	}))
	defer evil.Close()
	for _, code := range []int{301, 302, 303, 307, 308} {
		c, s := scriptServer(t, raw(code, "", "Location", evil.URL+"/v2/topup"))
		_, err := c.Topup(context.Background(), seedTopup())
		requireUnknown(t, err, code)
		assert.EqualValues(t, 1, s.n.Load())
	}
	c, mock := mockClient(t)
	mock.RegisterResponder("GET", "https://api.test.invalid/v2/balance", func(*http.Request) (*http.Response, error) {
		r := newResponse(302, nil)
		r.Header = http.Header{"Location": {evil.URL + "/v2/balance"}}
		return r, nil
	})
	_, err := c.Balance(context.Background())
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 302, ae.HTTPStatus)
	assert.Contains(t, err.Error(), "302")
	assert.Zero(t, elsewhere.Load(), "nothing signed went to the other origin")
}

// FuzzAPIError: any error body gives an *APIError without a panic, whose
// text never shows an IC-number-shaped value, and whose status code is
// claimed only when the body holds one.
func FuzzAPIError(f *testing.F) {
	f.Add([]byte(`{"message":"The given data was invalid.","errors":{"amount":["The amount must be an integer."]}}`))
	f.Add([]byte(`{"data":{"statusCode":58,"remarks":"The account number format is invalid."}}`))
	f.Add([]byte(`{"data":{"statusCode":"","remarks":"x"}}`))
	f.Add([]byte(`{"data":{"statusCode":54,"remarks":"Duplicate_RefID"}}`))
	f.Add([]byte(`{"message":"IC 900101-14-5678, pin: 1234","errors":{"ic":"900101145678"}}`))
	f.Add([]byte(`{"errors":{"a":[1,{"x":2},"y"]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		e := newAPIError(400, body)
		s := e.Error()
		if icNumber.MatchString(s) {
			t.Fatalf("IC-shaped value in %q", s)
		}
		if e.HasStatusCode && !bytes.Contains(bytes.ToLower(body), []byte("statuscode")) { // JSON keys match case-insensitively
			t.Fatalf("a status code from nowhere: %q", body)
		}
		for _, fe := range e.Fields {
			for _, m := range fe.Messages {
				require.False(t, icNumber.MatchString(m))
			}
		}
	})
}
