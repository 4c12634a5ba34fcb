package iimmpact

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readerTransport answers each request with the next body reader, its
// length unknown, and counts the requests.
type readerTransport struct {
	bodies chan io.Reader
	calls  atomic.Int32
}

func (m *readerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	m.calls.Add(1)
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(<-m.bodies), ContentLength: -1, Request: r}, nil
}

func catalogClient(t *testing.T, tr http.RoundTripper) *Client {
	t.Helper()
	c, err := New(testKey, testSecret, WithHTTPClient(&http.Client{Transport: tr}), WithBaseURL("http://127.0.0.1:1"),
		WithRateLimit(0, 0), WithRetryPolicy(RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	require.NoError(t, err)
	return c
}

// readSizes records the largest read asked of it.
type readSizes struct {
	r   io.Reader
	max int
}

func (s *readSizes) Read(p []byte) (int, error) {
	s.max = max(s.max, len(p))
	return s.r.Read(p)
}

// The catalog is decoded as its body arrives: no read asks for more than a
// small window of a body many times larger, and every product of the
// body, read through a buffer reused all along, is intact.
func TestCatalogIsDecodedAsItsBodyArrives(t *testing.T) {
	t.Parallel()
	body := formsCatalog(3000, 7)
	require.Greater(t, len(body), 2<<20)
	src := &readSizes{r: bytes.NewReader(body)}
	tr := &readerTransport{bodies: make(chan io.Reader, 1)}
	tr.bodies <- src
	cat, err := catalogClient(t, tr).Catalog(context.Background(), CatalogQuery{})
	require.NoError(t, err)
	assert.LessOrEqual(t, src.max, 128<<10, "read in a window, not whole")

	var plain plainCatalog
	require.NoError(t, json.Unmarshal(body, &plain))
	require.Len(t, cat.Products, len(plain.Products))
	for code, want := range plain.Products {
		got := cat.Products[code]
		require.Equal(t, want.Name, got.Name, code)
		require.Equal(t, want.ImageURL, got.ImageURL, code)
		require.Equal(t, want.Fields[0].Label, got.Fields[0].Label, code)
		require.Len(t, got.Fields[1].Options, len(want.Fields[1].Options), code)
		require.Equal(t, want.Fields[1].Options[0].Label, got.Fields[1].Options[0].Label, code)
	}
	assert.Equal(t, plain.Tree.Groups[0].Categories[0].ProductCodes, cat.Groups[0].Categories[0].ProductCodes)
}

// A body cut off midway is a transport error, like any body that cannot be
// read, so the catalog is asked for again.
func TestCatalogBodyCutMidwayIsAskedAgain(t *testing.T) {
	t.Parallel()
	body := formsCatalog(500, 3)
	tr := &readerTransport{bodies: make(chan io.Reader, 2)}
	tr.bodies <- io.MultiReader(bytes.NewReader(body[:len(body)/2]), iotest.ErrReader(io.ErrUnexpectedEOF))
	tr.bodies <- bytes.NewReader(body)
	cat, err := catalogClient(t, tr).Catalog(context.Background(), CatalogQuery{})
	require.NoError(t, err)
	assert.Len(t, cat.Products, 500)
	assert.EqualValues(t, 2, tr.calls.Load())

	tr.bodies <- io.MultiReader(bytes.NewReader(body[:1000]), iotest.ErrReader(io.ErrUnexpectedEOF))
	tr.bodies <- io.MultiReader(bytes.NewReader(body[:1000]), iotest.ErrReader(io.ErrUnexpectedEOF))
	_, err = catalogClient(t, tr).Catalog(context.Background(), CatalogQuery{})
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.ErrorContains(t, err, "reading response")
	var me *MalformedResponseError
	assert.False(t, errors.As(err, &me), "not the body's fault")
}

// A catalog malformed deep inside is a MalformedResponseError with the
// status and the start of the body, capped, as any malformed answer is.
func TestCatalogMalformedMidway(t *testing.T) {
	t.Parallel()
	body := formsCatalog(500, 3)
	at := bytes.Index(body, []byte(`"P000400":{`))
	bad := append(append(append([]byte(nil), body[:at]...), `"P000400":{"code":]`...), body[at+11:]...)
	tr := &readerTransport{bodies: make(chan io.Reader, 2)}
	tr.bodies <- bytes.NewReader(bad)
	tr.bodies <- bytes.NewReader(bad)
	_, err := catalogClient(t, tr).Catalog(context.Background(), CatalogQuery{})
	var me *MalformedResponseError
	require.ErrorAs(t, err, &me)
	assert.Equal(t, 200, me.HTTPStatus)
	assert.Len(t, me.Body, maxErrorBody)
	assert.Equal(t, bad[:maxErrorBody], me.Body)
}

// The catalog's bound holds for a body of unknown length too: one that
// goes on past 128 MiB is refused once it passes it, not read on.
func TestCatalogOverItsBound(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 128 MiB")
	}
	t.Parallel()
	endless := func() io.Reader {
		return io.MultiReader(strings.NewReader(`{"products":{`), endlessSpaces{})
	}
	tr := &readerTransport{bodies: make(chan io.Reader, 2)}
	tr.bodies <- endless()
	tr.bodies <- endless()
	_, err := catalogClient(t, tr).Catalog(context.Background(), CatalogQuery{})
	require.Error(t, err)
	assert.ErrorContains(t, err, fmt.Sprintf("over the %d MiB limit", maxCatalogBody>>20))
}

type endlessSpaces struct{}

func (endlessSpaces) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}
