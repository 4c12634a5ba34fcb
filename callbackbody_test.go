package iimmpact

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A body that disagrees with its Content-Length is malformed, longer or
// shorter; one without a Content-Length is read to its end, within the
// limit; a broken read is malformed too.
func TestCallbackBodyAgainstContentLength(t *testing.T) {
	t.Parallel()
	body := fixture(t, "callback_post_digi.json")
	post := func(rd io.Reader, n int64) *http.Request {
		return &http.Request{Method: http.MethodPost, URL: &url.URL{Path: "/cb"}, Header: http.Header{},
			Body: io.NopCloser(rd), ContentLength: n}
	}
	for name, r := range map[string]*http.Request{
		"longer":  post(bytes.NewReader(body), int64(len(body)-1)),
		"shorter": post(bytes.NewReader(body), int64(len(body)+1)),
		"broken":  post(io.MultiReader(bytes.NewReader(body[:10]), iotest.ErrReader(errors.New("reset"))), int64(len(body))),
	} {
		_, err := ParseCallback(r)
		assert.ErrorIs(t, err, ErrMalformedCallback, name)
	}
	for _, n := range []int64{-1, int64(len(body))} {
		cb, err := ParseCallback(post(iotest.OneByteReader(bytes.NewReader(body)), n))
		require.NoError(t, err, "Content-Length %d", n)
		assert.Equal(t, "digi-reload-20250115-001", cb.RefID)
	}
	_, err := ParseCallback(post(strings.NewReader(strings.Repeat(" ", DefaultMaxCallbackBytes+1)), -1))
	assert.ErrorIs(t, err, ErrCallbackTooLarge)
}

// Body buffers are reused, so a parsed callback must own its strings: the
// next callback read into the same buffer leaves the first intact.
func TestCallbackOwnsItsFieldsAfterTheBufferIsReused(t *testing.T) {
	body := fixture(t, "callback_post_digi.json")
	parse := func(b []byte) *Callback {
		cb, err := ParseCallback(&http.Request{Method: http.MethodPost, URL: &url.URL{}, Header: http.Header{},
			Body: io.NopCloser(bytes.NewReader(b)), ContentLength: int64(len(b))})
		require.NoError(t, err)
		return cb
	}
	first := parse(body)
	want := *first
	other := bytes.ReplaceAll(body, []byte("digi-reload-20250115-001"), []byte("zzzz-zzzzzz-zzzzzzzz-zzz"))
	other = bytes.ReplaceAll(other, []byte(first.SN), bytes.Repeat([]byte("Z"), len(first.SN)))
	for range 10 {
		parse(other)
	}
	assert.Equal(t, want, *first)
	assert.Equal(t, "digi-reload-20250115-001", first.RefID)
}

// The media-type fast path agrees with the full parse.
func TestIsJSON(t *testing.T) {
	t.Parallel()
	for ct, want := range map[string]bool{"": true, "application/json": true, "Application/JSON": true,
		"application/json; charset=utf-8": true, "application/vnd.api+json": true, "text/plain": false,
		"application/jsonx": false, "application/json;;": false} {
		assert.Equal(t, want, isJSON(ct), ct)
	}
}
