package iimmpacttest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Close must stop settle timers, callback workers waiting to retry and
// in-flight delayed answers, and leave no goroutine behind.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	func() {
		failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
		}))
		defer failing.Close()

		srv := iimmpacttest.NewServer(
			iimmpacttest.WithSettleDelay(time.Hour),
			iimmpacttest.WithCallback(failing.URL, "POST"),
			iimmpacttest.WithCallbackPolicy(3, time.Hour, 5*time.Second),
		)
		tr := &http.Transport{}
		defer tr.CloseIdleConnections()
		c := newCaller(t, srv, nil)
		c.http = &http.Client{Transport: tr, Timeout: 10 * time.Second}

		var wg sync.WaitGroup
		for i := range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status, _ := c.topup(fmt.Sprintf("leak-%d", i), "D", "0123456789", 5)
				assert.Equal(t, http.StatusOK, status)
			}()
		}
		wg.Wait()
		require.Eventually(t, func() bool { return len(srv.Callbacks()) == 50 }, 10*time.Second, time.Millisecond)

		// One request parked in a long injected delay while Close runs.
		srv.ScriptFaults("/v2/balance", iimmpacttest.DelayFault(time.Hour))
		parked := make(chan struct{})
		go func() {
			defer close(parked)
			_, _, _ = c.send(http.MethodGet, "/v2/balance", nil)
		}()
		require.Eventually(t, func() bool { return srv.Requests("/v2/balance") == 1 }, 5*time.Second, time.Millisecond)

		start := time.Now()
		srv.Close()
		assert.Less(t, time.Since(start), 3*time.Second, "Close waits promptly")
		<-parked
		assert.Equal(t, "950", srv.Balance().String(), "no settle timer fired")
	}()

	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines before, %d after Close:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

func TestCloseTwiceAndUnstarted(t *testing.T) {
	srv := iimmpacttest.NewServer()
	srv.Close()
	srv.Close()
	iimmpacttest.NewUnstartedServer().Close()
}

func TestStartOnFixedAddress(t *testing.T) {
	srv := iimmpacttest.NewUnstartedServer()
	require.NoError(t, srv.StartOn("127.0.0.1:0"))
	defer srv.Close()
	c := newCaller(t, srv, nil)
	status, _ := c.do(http.MethodGet, "/v2/balance", nil)
	assert.Equal(t, http.StatusOK, status)
	assert.Panics(t, srv.Start, "a server starts once")

	other := iimmpacttest.NewUnstartedServer()
	defer other.Close()
	assert.Error(t, other.StartOn(srv.URL[len("http://"):]), "the address is taken")
}
