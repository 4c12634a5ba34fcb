package iimmpact

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Go's HTTP/2 transport resends a request by itself, with the very same
// headers, when the server resets its stream with PROTOCOL_ERROR (or
// REFUSED_STREAM, or a GOAWAY left it unprocessed): see shouldRetryRequest
// and canRetryError in net/http's h2_bundle.go. A signed POST qualifies,
// since the signing transport gives it a GetBody. If the server had
// processed the first copy, IIMMPACT refuses the resend as a used nonce.
//
// h2Server is just enough of an HTTP/2 server, over TLS, to make that
// happen: it resets the first request after reading it all ("processed"),
// answers the second 401 (as IIMMPACT answers a replayed nonce) and the
// third with the given body.
type h2Server struct {
	ln      net.Listener
	body    []byte
	mu      sync.Mutex
	streams []uint32 // every request's stream id, in order (a resend may use a new connection)
}

const (
	h2Data, h2Headers, h2RST, h2Settings, h2Ping = 0, 1, 3, 4, 6
	h2EndStream, h2EndHeaders, h2Ack             = 0x1, 0x4, 0x1
	h2ProtocolError                              = 0x1
)

func newH2Server(t *testing.T, body []byte) (*h2Server, *http.Transport) {
	ts := httptest.NewUnstartedServer(http.NotFoundHandler())
	ts.EnableHTTP2 = true
	ts.StartTLS() // for its certificate and a client that trusts it
	t.Cleanup(ts.Close)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: ts.TLS.Certificates, NextProtos: []string{"h2"}})
	require.NoError(t, err)
	s := &h2Server{ln: ln, body: body}
	t.Cleanup(func() { ln.Close() })
	go s.serve(t)
	tr := ts.Client().Transport.(*http.Transport).Clone()
	tr.ForceAttemptHTTP2 = true
	return s, tr
}

func (s *h2Server) serve(t *testing.T) {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		go s.conn(t, c)
	}
}

func writeFrame(w io.Writer, typ, flags byte, stream uint32, payload []byte) error {
	h := make([]byte, 9, 9+len(payload))
	h[0], h[1], h[2] = byte(len(payload)>>16), byte(len(payload)>>8), byte(len(payload))
	h[3], h[4] = typ, flags
	binary.BigEndian.PutUint32(h[5:], stream)
	_, err := w.Write(append(h, payload...))
	return err
}

func (s *h2Server) conn(t *testing.T, c net.Conn) {
	defer c.Close()
	preface := make([]byte, 24)
	if _, err := io.ReadFull(c, preface); err != nil || string(preface) != "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" {
		return
	}
	if writeFrame(c, h2Settings, 0, 0, nil) != nil {
		return
	}
	head := make([]byte, 9)
	for {
		if _, err := io.ReadFull(c, head); err != nil {
			return
		}
		n := int(head[0])<<16 | int(head[1])<<8 | int(head[2])
		typ, flags, stream := head[3], head[4], binary.BigEndian.Uint32(head[5:])&0x7fffffff
		payload := make([]byte, n)
		if _, err := io.ReadFull(c, payload); err != nil {
			return
		}
		switch {
		case typ == h2Settings && flags&h2Ack == 0:
			_ = writeFrame(c, h2Settings, h2Ack, 0, nil)
		case typ == h2Ping && flags&h2Ack == 0:
			_ = writeFrame(c, h2Ping, h2Ack, 0, payload)
		case (typ == h2Headers || typ == h2Data) && flags&h2EndStream != 0:
			s.answer(c, stream) // the whole request has arrived
		}
	}
}

func (s *h2Server) answer(c net.Conn, stream uint32) {
	s.mu.Lock()
	s.streams = append(s.streams, stream)
	n := len(s.streams)
	s.mu.Unlock()
	switch n {
	case 1: // read and "processed", then reset: Go resends it as is
		_ = writeFrame(c, h2RST, 0, stream, binary.BigEndian.AppendUint32(nil, h2ProtocolError))
	case 2: // HPACK: literal ":status" (static index 8) = "401", end of stream
		_ = writeFrame(c, h2Headers, h2EndHeaders|h2EndStream, stream, []byte{0x08, 3, '4', '0', '1'})
	default: // ":status: 200" (static index 8, indexed), then the body
		_ = writeFrame(c, h2Headers, h2EndHeaders, stream, []byte{0x88})
		_ = writeFrame(c, h2Data, h2EndStream, stream, s.body)
	}
}

// A signed POST that Go's HTTP/2 transport resent after the server had
// processed it meets a nonce refusal; the client takes that 401 for what it
// is — a lost answer — signs afresh and learns the real status, instead of
// reporting a refused payment that in truth went through.
func TestHTTP2ResendOfASignedPost(t *testing.T) {
	s, tr := newH2Server(t, fixture(t, "topup_success.json"))
	var events []RetryEvent
	c, err := New(testKey, testSecret, WithBaseURL("https://"+s.ln.Addr().String()),
		WithHTTPClient(&http.Client{Transport: tr}), WithRetryPolicy(fastRetries(3, &events)))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tx, err := c.Topup(ctx, seedTopup())
	require.NoError(t, err)
	assert.Equal(t, StatusSuccessful, tx.StatusCode)

	s.mu.Lock()
	defer s.mu.Unlock()
	assert.Len(t, s.streams, 3, "three requests reached the server")
	require.Len(t, events, 1, "but only two attempts of the client: net/http resent the first by itself")
	assert.ErrorIs(t, events[0].Err, errResent)
}
