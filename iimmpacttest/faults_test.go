package iimmpacttest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iimmpact-go/iimmpact"
)

var digi10 = []byte(`{"refid":"f-1","product":"D","account":"0123456789","amount":10}`)

func TestStatusFaultBeforeAndAfterProcessing(t *testing.T) {
	t.Parallel()
	for _, after := range []bool{false, true} {
		t.Run(fmt.Sprint("after=", after), func(t *testing.T) {
			srv, c, _ := startFake(t)
			f := iimmpacttest.StatusFault(http.StatusInternalServerError)
			if after {
				f = f.AfterProcessing()
			}
			srv.ScriptFaults("/v2/topup", f)
			resp, body, err := c.send(http.MethodPost, "/v2/topup", digi10)
			require.NoError(t, err)
			assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
			assert.JSONEq(t, `{"message":"Internal Server Error"}`, string(body))
			want := 0
			if after {
				want = 1
			}
			assert.Equal(t, want, srv.Debits("f-1"))
			assert.Len(t, srv.TopupRecords(), want)

			// The retry with the same refid answers the one transaction.
			status, body := c.do(http.MethodPost, "/v2/topup", digi10)
			require.Equal(t, http.StatusOK, status)
			assert.Equal(t, "20", num(dataOf(t, body)["statusCode"]))
			assert.Equal(t, 1, srv.Debits("f-1"))
			assert.Equal(t, "940.2", srv.Balance().String())
			assert.Equal(t, 2, srv.Requests("/v2/topup"))
		})
	}
}

func TestRateLimitFaultSendsRetryAfter(t *testing.T) {
	t.Parallel()
	srv, c, _ := startFake(t)
	srv.ScriptFaults("/v2/balance", iimmpacttest.RateLimitFault(1500*time.Millisecond), iimmpacttest.StatusFault(http.StatusRequestTimeout))
	resp, _, err := c.send(http.MethodGet, "/v2/balance", nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Equal(t, "2", resp.Header.Get("Retry-After"))
	resp, _, err = c.send(http.MethodGet, "/v2/balance", nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode)
	assert.Empty(t, resp.Header.Get("Retry-After"))
	status, _ := c.do(http.MethodGet, "/v2/balance", nil)
	assert.Equal(t, http.StatusOK, status, "the script is used up")
}

func TestResetFault(t *testing.T) {
	t.Parallel()
	for _, after := range []bool{false, true} {
		t.Run(fmt.Sprint("after=", after), func(t *testing.T) {
			srv, c, _ := startFake(t)
			f := iimmpacttest.ResetFault()
			f.After = after
			srv.ScriptFaults("/v2/topup", f)
			_, _, err := c.send(http.MethodPost, "/v2/topup", digi10)
			require.Error(t, err, "no response at all")
			if after {
				assert.Equal(t, 1, srv.Debits("f-1"))
			} else {
				assert.Empty(t, srv.TopupRecords())
			}
		})
	}
}

func TestTruncateFault(t *testing.T) {
	t.Parallel()
	for _, after := range []bool{false, true} {
		t.Run(fmt.Sprint("after=", after), func(t *testing.T) {
			srv, c, _ := startFake(t)
			f := iimmpacttest.TruncateFault()
			f.After = after
			srv.ScriptFaults("/v2/topup", f)
			status, body := c.do(http.MethodPost, "/v2/topup", digi10)
			assert.Equal(t, http.StatusOK, status)
			var v any
			assert.Error(t, json.Unmarshal(body, &v), "half a body: %s", body)
			assert.Contains(t, string(body), `{"data":{"statusCode":`)
			if after {
				assert.Equal(t, 1, srv.Debits("f-1"))
			} else {
				assert.Empty(t, srv.TopupRecords())
			}
		})
	}
}

func TestDelayFault(t *testing.T) {
	t.Parallel()
	t.Run("slow but whole", func(t *testing.T) {
		srv, c, _ := startFake(t)
		srv.ScriptFaults("/v2/balance", iimmpacttest.DelayFault(50*time.Millisecond))
		start := time.Now()
		status, body := c.do(http.MethodGet, "/v2/balance", nil)
		assert.Equal(t, http.StatusOK, status)
		assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)
		assert.Contains(t, string(body), `"balance":950`)
	})
	for _, after := range []bool{false, true} {
		t.Run(fmt.Sprint("client gives up, after=", after), func(t *testing.T) {
			srv, c, _ := startFake(t)
			c.http.Timeout = 50 * time.Millisecond
			f := iimmpacttest.DelayFault(time.Minute)
			f.After = after
			srv.ScriptFaults("/v2/topup", f)
			start := time.Now()
			_, _, err := c.send(http.MethodPost, "/v2/topup", digi10)
			require.Error(t, err)
			time.Sleep(50 * time.Millisecond) // let the handler see the cancellation
			if after {
				assert.Equal(t, 1, srv.Debits("f-1"))
			} else {
				assert.Empty(t, srv.TopupRecords())
			}
			assert.Less(t, time.Since(start), 5*time.Second)
		})
	}
}

func TestScriptGapsWildcardAndClear(t *testing.T) {
	t.Parallel()
	srv, c, _ := startFake(t)
	srv.ScriptFaults(iimmpacttest.AnyPath, iimmpacttest.Fault{}, iimmpacttest.StatusFault(http.StatusBadGateway))
	srv.ScriptFaults("/v2/topup", iimmpacttest.StatusFault(http.StatusServiceUnavailable))
	status, _ := c.do(http.MethodGet, "/v2/balance", nil)
	assert.Equal(t, http.StatusOK, status, "Fault{} lets one through")
	status, _ = c.do(http.MethodGet, "/v2/product-list", nil)
	assert.Equal(t, http.StatusBadGateway, status)
	status, _ = c.do(http.MethodPost, "/v2/topup", digi10)
	assert.Equal(t, http.StatusServiceUnavailable, status, "a path's own plan wins over AnyPath")

	srv.InjectFaults(iimmpacttest.AnyPath, 1, iimmpacttest.StatusFault(http.StatusGatewayTimeout))
	status, _ = c.do(http.MethodGet, "/v2/balance", nil)
	assert.Equal(t, http.StatusGatewayTimeout, status)
	srv.ClearFaults()
	status, _ = c.do(http.MethodGet, "/v2/balance", nil)
	assert.Equal(t, http.StatusOK, status)
}

func faultSequence(t *testing.T, seed uint64) []int {
	srv, c, _ := startFake(t, iimmpacttest.WithSeed(seed))
	srv.InjectFaults("/v2/balance", 0.5, iimmpacttest.StatusFault(500), iimmpacttest.StatusFault(503))
	var out []int
	for range 200 {
		status, _ := c.do(http.MethodGet, "/v2/balance", nil)
		out = append(out, status)
	}
	return out
}

func TestProbabilisticFaultsAreSeeded(t *testing.T) {
	t.Parallel()
	a, b, other := faultSequence(t, 42), faultSequence(t, 42), faultSequence(t, 43)
	assert.Equal(t, a, b, "same seed, same faults")
	assert.NotEqual(t, a, other)
	counts := map[int]int{}
	for _, s := range a {
		counts[s]++
	}
	assert.InDelta(t, 100, counts[200], 30)
	assert.Positive(t, counts[500])
	assert.Positive(t, counts[503])
}

func TestFaultValidation(t *testing.T) {
	t.Parallel()
	srv, _, _ := startFake(t)
	assert.Panics(t, func() { srv.ScriptFaults("/v2/topup", iimmpacttest.StatusFault(42)) })
	assert.Panics(t, func() { srv.ScriptFaults("/v2/topup", iimmpacttest.DelayFault(0)) })
	assert.Panics(t, func() { srv.InjectFaults("/v2/topup", 1.5, iimmpacttest.ResetFault()) })
	assert.Panics(t, func() { srv.ScriptFaults("/v2/topup", iimmpacttest.Fault{Kind: 99}) })
}

// Hundreds of clients pay and retry through random faults that strike
// after the payment was applied; every refid is still charged once.
func TestConcurrentRetriesThroughFaultsChargeOnce(t *testing.T) {
	t.Parallel()
	srv, c, _ := startFake(t, iimmpacttest.WithBalance(iimmpact.MustParseAmount("100000")), iimmpacttest.WithSeed(7))
	srv.InjectFaults("/v2/topup", 0.4,
		iimmpacttest.StatusFault(http.StatusBadGateway).AfterProcessing(),
		iimmpacttest.ResetFault().AfterProcessing(),
		iimmpacttest.TruncateFault().AfterProcessing(),
		iimmpacttest.StatusFault(http.StatusServiceUnavailable),
	)
	const clients = 200
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Appendf(nil, `{"refid":"cc-%03d","product":"D","account":"0123456789","amount":"5.00"}`, i)
			for range 50 {
				resp, data, err := c.send(http.MethodPost, "/v2/topup", body)
				if err == nil && resp.StatusCode == http.StatusOK && json.Valid(data) {
					return
				}
			}
			t.Errorf("cc-%03d never got an answer", i)
		}()
	}
	wg.Wait()
	txs := srv.TopupRecords()
	require.Len(t, txs, clients)
	for _, tx := range txs {
		assert.Equal(t, 1, tx.Debits, tx.RefID)
	}
	assert.Equal(t, "99020", srv.Balance().String()) // 100000 - 200 * 4.9
}

// Go's http.Transport resends a GET, headers and all, when a reused
// keep-alive connection dies before any answer. Against a reset before
// processing the resend succeeds (the nonce was never recorded); after
// processing it is a replay and IIMMPACT's rules refuse it.
func TestResetOnReusedConnectionAndGoTransportResend(t *testing.T) {
	t.Parallel()
	for _, after := range []bool{false, true} {
		t.Run(fmt.Sprint("after=", after), func(t *testing.T) {
			srv, c, _ := startFake(t)
			c.do(http.MethodGet, "/v2/balance", nil) // open a keep-alive connection
			f := iimmpacttest.ResetFault()
			f.After = after
			srv.ScriptFaults("/v2/balance", f)
			status, body := c.do(http.MethodGet, "/v2/balance", nil)
			assert.Equal(t, 3, srv.Requests("/v2/balance"), "the transport resent it")
			if after {
				assertAuthError(t, status, body, "nonce_reused")
			} else {
				assert.Equal(t, http.StatusOK, status)
			}
		})
	}
}
