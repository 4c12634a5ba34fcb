package iimmpact

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// readAnswer reads one answer into a new T: a success of a streamingBody
// (the catalog) decoded as it arrives, any other body read whole first,
// within the bound of cl.maxBody. An error reading it is a transport
// error; one decoding it, a typed *APIError or *MalformedResponseError.
func readAnswer[T any](c *Client, cl call, st *attemptState, resp *http.Response) (*T, error) {
	if _, ok := any((*T)(nil)).(streamingBody); ok && resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return streamAnswer[T](cl, st, resp)
	}
	body, err := readResponse(resp, cl.maxBody)
	if err != nil {
		return nil, readError(cl, st, err)
	}
	defer release(body) // decoding copied what it keeps
	return decodeFor[T](c, cl, resp, body.Bytes())
}

// readError is an error reading a body: the attempt's timeout, if that
// ended it.
func readError(cl call, st *attemptState, err error) error {
	if st.timedOut() {
		err = errAttemptTimeout
	}
	return fmt.Errorf("iimmpact: %s %s: reading response: %w", cl.method, cl.path, err)
}

// checker is implemented by response envelopes that can tell a complete
// body from one that merely parsed (e.g. no "data").
type checker interface{ check() error }

// streamingBody is a result decoded while its body arrives, so that the
// body is never held whole: the catalog, tens of megabytes.
type streamingBody interface{ decodeStream(r io.Reader) error }

// streamAnswer decodes a success of a streamingBody from the body itself.
// Whatever the reader failed with is a transport error, as readResponse's
// are; anything else that failed is the body's fault.
func streamAnswer[T any](cl call, st *attemptState, resp *http.Response) (*T, error) {
	r, err := newBoundedBody(resp, cl.maxBody)
	if err != nil {
		return nil, readError(cl, st, err)
	}
	out := new(T)
	err = any(out).(streamingBody).decodeStream(r)
	if r.err != nil {
		return nil, readError(cl, st, r.err)
	}
	if err = checked(out, resp.StatusCode, r.head, err); err == nil {
		err = matched(cl, resp.StatusCode, out, r.head)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// boundedBody reads a response body up to a bound, remembering the first
// error and the first bytes (for a MalformedResponseError).
type boundedBody struct {
	r     io.Reader
	left  int64 // bytes still allowed
	limit int64
	head  []byte
	err   error
}

func newBoundedBody(resp *http.Response, limit int64) (*boundedBody, error) {
	if limit == 0 {
		limit = maxResponseBody
	}
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("response body of %d bytes is over the %d MiB limit", resp.ContentLength, limit>>20)
	}
	return &boundedBody{r: resp.Body, left: limit, limit: limit}, nil
}

func (b *boundedBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.r.Read(p)
	if b.left -= int64(n); b.left < 0 {
		b.err = fmt.Errorf("response body over the %d MiB limit", b.limit>>20)
	}
	if len(b.head) < maxErrorBody {
		b.head = append(b.head, p[:min(n, maxErrorBody-len(b.head))]...)
	}
	if err != nil && !errors.Is(err, io.EOF) && b.err == nil {
		b.err = err
	}
	if b.err != nil {
		return n, b.err
	}
	return n, err
}

// decodeFor decodes one answer and checks that it is for this call.
func decodeFor[T any](c *Client, cl call, resp *http.Response, body []byte) (*T, error) {
	out, err := decode[T](resp.StatusCode, body)
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) {
			ae.RetryAfter, _ = retryAfter(resp, c.now())
		}
		return nil, err
	}
	if err := matched(cl, resp.StatusCode, out, body); err != nil {
		return nil, err
	}
	return out, nil
}

// matched checks that a decoded answer is for this call (call.match).
func matched(cl call, status int, out any, body []byte) error {
	if cl.match == nil {
		return nil
	}
	if err := cl.match(out); err != nil {
		return &MalformedResponseError{HTTPStatus: status, Body: capBody(body), Err: err}
	}
	return nil
}

// emptyOK is implemented by results that a 2xx with no body at all may
// stand for (a DELETE answered 204); every other empty body is malformed.
type emptyOK interface{ emptyOK() }

// decode maps one response to a result or a typed error.
func decode[T any](status int, body []byte) (*T, error) {
	if status < 200 || status > 299 {
		return nil, newAPIError(status, body)
	}
	out := new(T)
	if _, ok := any(out).(emptyOK); ok && len(bytes.TrimSpace(body)) == 0 {
		return out, nil
	}
	if err := checked(out, status, body, unmarshal(body, out)); err != nil {
		return nil, err
	}
	return out, nil
}

// checked makes a decoding error, or a decoded body that is not complete
// (checker), a MalformedResponseError quoting the start of body.
func checked(out any, status int, body []byte, err error) error {
	if ch, ok := out.(checker); ok && err == nil {
		err = ch.check()
	}
	if err != nil {
		return &MalformedResponseError{HTTPStatus: status, Body: capBody(body), Err: err}
	}
	return nil
}

// unmarshal reads body into out in one pass when out has a generated
// decoder (json.Unmarshal would check the whole body once more first).
func unmarshal(body []byte, out any) error {
	if u, ok := out.(json.Unmarshaler); ok {
		return u.UnmarshalJSON(body)
	}
	return json.Unmarshal(body, out)
}

// Bounds on what is read of a response. The catalog is the largest body
// IIMMPACT sends: at ~350 bytes a product, 100,000 products are 34 MiB,
// and its bound leaves room for three times that.
// Every other answer is a page of at most 1,000 records or smaller.
const (
	maxResponseBody = 32 << 20
	maxCatalogBody  = 128 << 20
)

// pooledBodyMax is the largest body buffer kept for reuse: most answers are
// a few hundred bytes, and a catalog's buffer is not worth keeping.
const pooledBodyMax = 64 << 10

var bodyPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// readResponse reads all of resp's body, at most limit bytes (0 means
// maxResponseBody), into a buffer sized from Content-Length when it is
// known, and otherwise into a pooled buffer, so that neither regrows. Call
// release with the buffer once nothing refers to its bytes.
func readResponse(resp *http.Response, limit int64) (*bytes.Buffer, error) {
	if limit == 0 {
		limit = maxResponseBody
	}
	n := resp.ContentLength
	if n > limit {
		return nil, fmt.Errorf("response body of %d bytes is over the %d MiB limit", n, limit>>20)
	}
	var buf *bytes.Buffer
	if n >= 0 && n > pooledBodyMax {
		buf = bytes.NewBuffer(make([]byte, 0, n+bytes.MinRead))
	} else {
		buf = bodyPool.Get().(*bytes.Buffer)
		buf.Reset()
	}
	if n > 0 {
		buf.Grow(int(n) + bytes.MinRead) // ReadFrom wants MinRead spare to see EOF without growing
	}
	_, err := buf.ReadFrom(io.LimitReader(resp.Body, limit+1))
	if err == nil && int64(buf.Len()) > limit {
		err = fmt.Errorf("response body over the %d MiB limit", limit>>20)
	}
	if err != nil {
		release(buf)
		return nil, err
	}
	return buf, nil
}

// release returns a small body buffer to the pool.
func release(buf *bytes.Buffer) {
	if buf != nil && buf.Cap() <= pooledBodyMax+bytes.MinRead {
		bodyPool.Put(buf)
	}
}
