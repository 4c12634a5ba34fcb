package iimmpact

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/iimmpact-go/iimmpact/internal/benchloop"
)

// memTransport answers every request with one canned body, in memory, so a
// benchmark over it measures the client's own work, not sockets.
type memTransport struct{ body []byte }

func (m memTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r.Body.Close()
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(m.body)), ContentLength: int64(len(m.body)), Request: r}, nil
}

// BenchmarkBalanceInMemory is a whole Balance call (sign, send, read,
// decode) over an in-memory transport, without an observer. Run the same
// file against an older checkout to compare the pipelines' own cost.
func BenchmarkBalanceInMemory(b *testing.B) {
	// Unpaced (a loopback base URL allows it): the default 50/s limiter
	// would make this a measure of its sleeps.
	c, err := New(testKey, testSecret, WithHTTPClient(&http.Client{Transport: memTransport{fixture(b, "balance.json")}}),
		WithBaseURL("http://127.0.0.1:1"), WithRateLimit(0, 0))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	benchloop.Run(b, func() error { _, err := c.Balance(ctx); return err })
}
