package iimmpacttest_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iimmpact-go/iimmpact"
)

// receiver is a merchant's callback endpoint that records what arrives and
// answers with scripted statuses (then 200).
type receiver struct {
	*httptest.Server
	mu      sync.Mutex
	got     []received
	answers []int
	delay   time.Duration
}

type received struct {
	method, contentType, rawQuery string
	body                          []byte
}

func newReceiver(t *testing.T, answers ...int) *receiver {
	r := &receiver{answers: answers}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{req.Method, req.Header.Get("Content-Type"), req.URL.RawQuery, body})
		status := http.StatusOK
		if len(r.answers) > 0 {
			status, r.answers = r.answers[0], r.answers[1:]
		}
		delay := r.delay
		r.mu.Unlock()
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-req.Context().Done():
			}
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"received":true}`)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

func fastPolicy() iimmpacttest.ServerOption {
	return iimmpacttest.WithCallbackPolicy(3, time.Millisecond, 2*time.Second)
}

func waitCallbacks(t *testing.T, srv *iimmpacttest.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, srv.WaitCallbacks(ctx))
}

// innerData returns the JSON text of "data" in a topup answer, as sent.
func innerData(t *testing.T, body []byte) string {
	var env struct{ Data json.RawMessage }
	require.NoError(t, json.Unmarshal(body, &env))
	return string(env.Data)
}

func TestCallbackPOSTOnEveryStatusChange(t *testing.T) {
	t.Parallel()
	recv := newReceiver(t)
	srv, c, _ := startFake(t, iimmpacttest.WithSettleAfter(1), iimmpacttest.WithCallback(recv.URL+"/iimmpact/callback", "POST"), fastPolicy())
	_, created := c.do(http.MethodPost, "/v2/topup", seedTopupBody)
	_, settled := c.do(http.MethodPost, "/v2/topup", seedTopupBody)
	c.do(http.MethodPost, "/v2/topup", seedTopupBody) // no change, no callback
	waitCallbacks(t, srv)

	got := recv.requests()
	require.Len(t, got, 2)
	for _, g := range got {
		assert.Equal(t, http.MethodPost, g.method)
		assert.Equal(t, "application/json", g.contentType)
	}
	// The callback body is exactly the topup answer of the same moment.
	assert.Equal(t, string(created), string(got[0].body))
	assert.Equal(t, string(settled), string(got[1].body))
	assert.Contains(t, string(got[0].body), `"statusCode":1,"status":"Processing"`)
	assert.Contains(t, string(got[1].body), `"statusCode":20,"status":"Succesful"`)

	attempts := srv.Callbacks()
	require.Len(t, attempts, 2)
	assert.Equal(t, []iimmpact.StatusCode{iimmpact.StatusProcessing, iimmpact.StatusSuccessful}, []iimmpact.StatusCode{attempts[0].StatusCode, attempts[1].StatusCode})
	assert.Equal(t, recv.URL+"/iimmpact/callback", attempts[1].URL)
	assert.Equal(t, http.StatusOK, attempts[1].HTTPStatus)
	assert.Equal(t, seedRef, attempts[1].RefID)
}

func TestCallbackGETCarriesMessage(t *testing.T) {
	t.Parallel()
	recv := newReceiver(t)
	srv, c, _ := startFake(t, iimmpacttest.WithCallback(recv.URL+"/cb?merchant=7", "GET"), fastPolicy())
	_, body := c.do(http.MethodPost, "/v2/topup", []byte(`{"refid":"1234t","product":"C","account":"60123450048","amount":10}`))
	waitCallbacks(t, srv)

	got := recv.requests()
	require.Len(t, got, 1, "settled at once: only the final status")
	assert.Equal(t, http.MethodGet, got[0].method)
	assert.Empty(t, got[0].body)
	q, err := url.ParseQuery(got[0].rawQuery)
	require.NoError(t, err)
	assert.Equal(t, "7", q.Get("merchant"), "the configured query is kept")
	assert.Equal(t, "1234t", q.Get("refid"))
	assert.Equal(t, "48", q.Get("status"), "the numeric code, not the word")
	assert.Equal(t, "0", q.Get("price"))
	assert.Equal(t, innerData(t, body), q.Get("message"), "message is the POST data object")

	// Form-encoded like IIMMPACT's sample: parameters in its order, '+' for spaces.
	assert.True(t, strings.HasPrefix(got[0].rawQuery, "merchant=7&refid=1234t&status=48&price=0&message=%7B%22statusCode%22%3A48%2C"), got[0].rawQuery)
	assert.Contains(t, got[0].rawQuery, "%22timestamp%22%3A%222025-01-15+10%3A23%3A47%22")
}

func TestCallbackGETAndPOSTCarryTheSameData(t *testing.T) {
	t.Parallel()
	recvPost, recvGet := newReceiver(t), newReceiver(t)
	srv, c, _ := startFake(t, iimmpacttest.WithCallback(recvPost.URL, "POST"), fastPolicy())
	c.topup("same-1", "GC", "0123456789", 10)
	waitCallbacks(t, srv)
	srv.SetCallback(recvGet.URL, "get")
	c.topup("same-2", "GC", "0123456789", 10)
	waitCallbacks(t, srv)

	q, err := url.ParseQuery(recvGet.requests()[0].rawQuery)
	require.NoError(t, err)
	assert.Equal(t, "20", q.Get("status"))
	assert.Equal(t, "same-2", q.Get("refid"))
	assert.Equal(t, "10", q.Get("price"), "gift codes carry no discount")

	var post, get map[string]any
	require.NoError(t, json.Unmarshal([]byte(innerData(t, recvPost.requests()[0].body)), &post))
	require.NoError(t, json.Unmarshal([]byte(q.Get("message")), &get))
	require.Len(t, post, 16)
	require.Len(t, get, 16)
	for k, v := range post {
		require.Contains(t, get, k)
		assert.IsType(t, v, get[k], k)
	}
	for _, k := range []string{"statusCode", "status", "account", "product", "productName", "amount", "cost", "note"} {
		assert.Equal(t, post[k], get[k], k)
	}
	assert.NotEmpty(t, get["pin"])
}

func TestCallbackRetryPolicy(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		answers []int
		want    []int
	}{
		{"500 then success", []int{500}, []int{500, 200}},
		{"502 503 504 then success", []int{502, 503, 504}, []int{502, 503, 504, 200}},
		{"408 and 429 are retried", []int{408, 429}, []int{408, 429, 200}},
		{"no retry on 400", []int{400}, []int{400}},
		{"no retry on 404", []int{404}, []int{404}},
		{"no retry on a redirect", []int{302}, []int{302}},
		{"gives up after 3 retries", []int{500, 500, 500, 500, 500}, []int{500, 500, 500, 500}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			recv := newReceiver(t, tc.answers...)
			srv, c, _ := startFake(t, iimmpacttest.WithCallback(recv.URL, "POST"), fastPolicy())
			c.topup("retry-1", "D", "0123456789", 10)
			waitCallbacks(t, srv)
			var statuses []int
			for i, a := range srv.Callbacks() {
				statuses = append(statuses, a.HTTPStatus)
				assert.Equal(t, i+1, a.Attempt)
			}
			assert.Equal(t, tc.want, statuses)
			assert.Len(t, recv.requests(), len(tc.want))
		})
	}
}

func TestCallbackNetworkErrorsAndTimeouts(t *testing.T) {
	t.Parallel()
	t.Run("connection refused", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		dead := "http://" + l.Addr().String() + "/cb"
		require.NoError(t, l.Close())
		srv, c, _ := startFake(t, iimmpacttest.WithCallback(dead, "POST"), iimmpacttest.WithCallbackPolicy(2, time.Millisecond, time.Second))
		c.topup("net-err", "D", "0123456789", 10)
		waitCallbacks(t, srv)
		attempts := srv.Callbacks()
		require.Len(t, attempts, 3)
		for _, a := range attempts {
			assert.Zero(t, a.HTTPStatus)
			assert.NotEmpty(t, a.Err)
		}
	})
	t.Run("slow receiver times out and is retried", func(t *testing.T) {
		recv := newReceiver(t)
		recv.delay = time.Second
		srv, c, _ := startFake(t, iimmpacttest.WithCallback(recv.URL, "POST"), iimmpacttest.WithCallbackPolicy(1, time.Millisecond, 50*time.Millisecond))
		c.topup("slow-cb", "D", "0123456789", 10)
		waitCallbacks(t, srv)
		attempts := srv.Callbacks()
		require.Len(t, attempts, 2)
		assert.Contains(t, attempts[0].Err, "timeout")
	})
}

func TestCallbackOrderPerRefidUnderRetries(t *testing.T) {
	t.Parallel()
	// The Processing callback fails twice; the final one must still come after it.
	recv := newReceiver(t, 500, 500)
	srv, c, _ := startFake(t, iimmpacttest.WithSettleAfter(1), iimmpacttest.WithCallback(recv.URL, "POST"), fastPolicy())
	c.topup("order-1", "D", "0123456789", 10)
	c.topup("order-1", "D", "0123456789", 10)
	waitCallbacks(t, srv)
	var codes []iimmpact.StatusCode
	for _, a := range srv.Callbacks() {
		codes = append(codes, a.StatusCode)
	}
	assert.Equal(t, []iimmpact.StatusCode{1, 1, 1, 20}, codes)
}

func TestCloseStopsRetryWaitsPromptly(t *testing.T) {
	t.Parallel()
	recv := newReceiver(t, 500, 500, 500, 500)
	clk := newTestClock()
	srv := iimmpacttest.NewServer(iimmpacttest.WithServerClock(clk.Now), iimmpacttest.WithCallback(recv.URL, "POST"),
		iimmpacttest.WithCallbackPolicy(3, time.Hour, 30*time.Second), iimmpacttest.WithSettleDelay(time.Hour))
	c := newCaller(t, srv, clk.Now)
	c.topup("close-1", "D", "0123456789", 10)
	require.Eventually(t, func() bool { return len(srv.Callbacks()) == 1 }, 5*time.Second, time.Millisecond)
	start := time.Now()
	srv.Close()
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.Len(t, srv.Callbacks(), 1)
	assert.Equal(t, 0, srv.Debits("close-1"), "the settle timer was cancelled too")
}
