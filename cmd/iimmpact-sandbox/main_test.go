package main

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
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
