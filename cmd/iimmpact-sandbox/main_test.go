package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRunServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-api-key", "iimm_dev_cli",
			"-secret", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}, &out, &errOut)
	}()
	urlRE := regexp.MustCompile(`URL:\s+(http://\S+)`)
	require.Eventually(t, func() bool { return urlRE.MatchString(out.String()) }, 5*time.Second, 5*time.Millisecond)
	assert.Contains(t, out.String(), "iimm_dev_cli")
	assert.Contains(t, out.String(), "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")

	resp, err := http.Get(urlRE.FindStringSubmatch(out.String())[1] + "/v2/balance")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "unsigned requests are refused")

	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return after cancellation")
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-api-key", "k"},
		{"-balance", "lots"},
		{"-callback-url", "not a url"},
		{"-callback-url", "http://127.0.0.1:9/cb", "-callback-method", "PUT"},
		{"-no-such-flag"},
	} {
		var out, errOut syncBuffer
		err := run(context.Background(), append([]string{"-addr", "127.0.0.1:0"}, args...), &out, &errOut)
		assert.Error(t, err, "%v", args)
	}
}

func TestHelpDocumentsTheWireForOtherLanguages(t *testing.T) {
	var out, errOut syncBuffer
	err := run(context.Background(), []string{"-h"}, &out, &errOut)
	require.ErrorIs(t, err, flag.ErrHelp)
	help := errOut.String()
	for _, want := range []string{"-start-time", "Unix time in SECONDS", "X-Signature: v1=XCNxFfcGDl4m/Yzyou/uemWQJqC/x/qrKxV92QMRGVE=",
		"GET  /v2/transactions  ?date*", "?product_code* &field_id*", "statusCode 0 Accepted"} {
		assert.Contains(t, help, want)
	}
}

// TestWorkedCurlExampleRuns sends the help text's curl request, byte for
// byte, to a sandbox started as the help text says.
func TestWorkedCurlExampleRuns(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-api-key", "iimm_dev_demo",
			"-secret", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "-start-time", "1704067200"}, &out, &errOut)
	}()
	urlRE := regexp.MustCompile(`URL:\s+(http://\S+)`)
	require.Eventually(t, func() bool { return urlRE.MatchString(out.String()) }, 5*time.Second, 5*time.Millisecond)
	body := `{"refid":"ORDER-0001","product":"D","account":"0123456789","amount":10}`
	req, err := http.NewRequest(http.MethodPost, urlRE.FindStringSubmatch(out.String())[1]+"/v2/topup", strings.NewReader(body))
	require.NoError(t, err)
	for k, v := range map[string]string{"Content-Type": "application/json", "X-Api-Key": "iimm_dev_demo", "X-Timestamp": "1704067200",
		"X-Nonce": "req-1704067200-a1b2c3d4e5f6a7b8", "X-Signature": "v1=XCNxFfcGDl4m/Yzyou/uemWQJqC/x/qrKxV92QMRGVE="} {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, string(answer))
	assert.Contains(t, string(answer), `"statusCode":20`)
	cancel()
	require.NoError(t, <-done)
}

func TestRunRejectsBadFidelityFlags(t *testing.T) {
	for _, args := range [][]string{{"-validation-form", "xml"}, {"-callback-source", "nowhere"}, {"-accepted-polls", "-1"}} {
		var out, errOut syncBuffer
		assert.Error(t, run(context.Background(), append([]string{"-addr", "127.0.0.1:0"}, args...), &out, &errOut), "%v", args)
	}
}
