package iimmpact

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const goldenNonce = "req-1704067200-a1b2c3d4e5f6a7b8"

// The golden vectors of spec §2.5, reproduced with three implementations.
func TestSignGoldenVectors(t *testing.T) {
	t.Parallel()
	s, err := NewSigner(testKey, testSecret)
	require.NoError(t, err)
	tests := []struct {
		name, method, url, body, want string
		mustNot                       []string // spec's negative controls
	}{
		{"GET no query", "GET", "https://api.iimmpact.com/v2/balance", "",
			"v1=6DsQ9h4Ol1bdn0DGwd02wira6/xyjYKdCc3R2oZXce4=",
			[]string{"v1=x888ojAODMfrJcYwazwDaO4hLBLFkBr3YSGtBiL0pUY=", "v1=e83b10f61e0e9756dd9f40c6c1dd36c22adaebfc728d829d09cdd1da865771ee"}},
		{"POST topup body", "POST", "https://api.iimmpact.com/v2/topup",
			`{"refid":"ORDER-0001","product":"D","account":"0123456789","amount":10}`,
			"v1=XCNxFfcGDl4m/Yzyou/uemWQJqC/x/qrKxV92QMRGVE=", nil},
		{"GET sorted query", "GET", "https://api.iimmpact.com/v2/transactions?product=D&limit=50&date=2025-05-01", "",
			"v1=VKEcxnP8u4OV+y2vk4xLeujoxVwulAWcuNrxBMZaCiQ=", nil},
		{"path is not signed", "GET", "https://api.iimmpact.com/v2/product-list", "",
			"v1=6DsQ9h4Ol1bdn0DGwd02wira6/xyjYKdCc3R2oZXce4=", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.url, nil)
			require.NoError(t, s.Sign(req, []byte(tt.body), testNow, goldenNonce))
			got := req.Header.Get("X-Signature")
			assert.Equal(t, tt.want, got)
			for _, bad := range tt.mustNot {
				assert.NotEqual(t, bad, got)
			}
			assert.Equal(t, "1704067200", req.Header.Get("X-Timestamp"))
			assert.Equal(t, goldenNonce, req.Header.Get("X-Nonce"))
			assert.Equal(t, testKey, req.Header.Get("X-Api-Key"))
		})
	}
}

func TestNewSignerRejects(t *testing.T) {
	t.Parallel()
	for name, c := range map[string][2]string{
		"empty key":         {"", testSecret},
		"key with space":    {"iimm prod", testSecret},
		"key with newline":  {"iimm\nX-Evil: 1", testSecret},
		"secret not base64": {testKey, "not*base64"},
		"secret empty":      {testKey, ""},
		"secret url-safe":   {testKey, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8-_"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := NewSigner(c[0], c[1])
			require.Error(t, err)
			if c[1] != "" {
				assert.NotContains(t, err.Error(), c[1], "the secret must not be echoed")
			}
		})
	}
}

func TestSignRejectsBadNonce(t *testing.T) {
	t.Parallel()
	s, _ := NewSigner(testKey, testSecret)
	for _, n := range []string{"", "short", string(bytes.Repeat([]byte("n"), 129))} {
		req := httptest.NewRequest("GET", "/v2/balance", nil)
		assert.Error(t, s.Sign(req, nil, testNow, n))
		assert.Empty(t, req.Header.Get("X-Signature"))
	}
}

func TestCanonicalQuery(t *testing.T) {
	t.Parallel()
	tests := []struct{ raw, want string }{
		{"", ""},
		{"product=D&limit=50&date=2025-05-01", "date=2025-05-01&limit=50&product=D"},
		{"date=2025-05-01+-+2025-05-31&limit=5", "date=2025-05-01 - 2025-05-31&limit=5"},
		{"date=2025-05-01%20-%202025-05-31", "date=2025-05-01 - 2025-05-31"},
		{"status=SUCCESSFUL&status=FAILED&limit=1", "limit=1&status=FAILED&status=SUCCESSFUL"},
		{"url=https%3A%2F%2Fm.example%2Fcb%3Fa%3D1&method=POST", "method=POST&url=https://m.example/cb?a=1"},
		{"b=&a=1", "a=1&b="},
		{"B=1&a=2", "B=1&a=2"}, // byte-wise: upper case sorts first
	}
	for _, tt := range tests {
		v, err := url.ParseQuery(tt.raw)
		require.NoError(t, err)
		assert.Equal(t, tt.want, CanonicalQuery(v), tt.raw)
	}
}

// CanonicalQuery depends only on the decoded values, so any encoding of the
// same values signs the same.
func FuzzCanonicalQuery(f *testing.F) {
	for _, s := range []string{"", "a=1", "date=2025-05-01+-+2025-05-31&status=A&status=B", "%zz", "a=%20&a=+&b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		c := CanonicalQuery(v)
		again, err := url.ParseQuery(v.Encode())
		require.NoError(t, err)
		require.Equal(t, c, CanonicalQuery(again))
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestTransportSignsEachAttemptAndRestoresBody(t *testing.T) {
	t.Parallel()
	s, _ := NewSigner(testKey, testSecret)
	var nonces []string
	var bodies []string
	tr := &Transport{Signer: s, Clock: func() time.Time { return testNow },
		Base: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			b := checkSigned(t, r)
			bodies = append(bodies, string(b))
			nonces = append(nonces, r.Header.Get("X-Nonce"))
			return &http.Response{StatusCode: 200, Body: io.NopCloser(bytes.NewReader(nil)), Request: r}, nil
		})}
	body := `{"refid":"R1","product":"D","account":"0123456789","amount":30}`
	for range 2 {
		req, _ := http.NewRequest("POST", "https://api.iimmpact.com/v2/topup?x=1", bytes.NewReader([]byte(body)))
		_, err := tr.RoundTrip(req)
		require.NoError(t, err)
		assert.Empty(t, req.Header.Get("X-Signature"), "the caller's request is not modified")
	}
	assert.Equal(t, []string{body, body}, bodies)
	require.Len(t, nonces, 2)
	assert.NotEqual(t, nonces[0], nonces[1], "a fresh nonce per attempt")
}

// A GET goes out with no body and no chunked encoding, despite the
// non-replayable empty body the transport gives it.
func TestTransportSendsGetWithoutBody(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Empty(t, r.TransferEncoding)
		assert.Zero(t, r.ContentLength)
		assert.Empty(t, r.Header.Get("Content-Length"))
		checkSigned(t, r)
		w.Write(fixture(t, "balance.json"))
	}))
	defer srv.Close()
	c, err := New(testKey, testSecret, WithBaseURL(srv.URL))
	require.NoError(t, err)
	_, err = c.Balance(t.Context())
	require.NoError(t, err)
}

// One Signer signs from many goroutines at once (the first HMAC under its
// mutex, the others from the pool), and every signature is the one a
// separate hand-written signer computes for the same request.
func TestSignerIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	s, err := NewSigner(testKey, testSecret)
	require.NoError(t, err)
	body := []byte(`{"refid":"ORDER-0001","product":"D","account":"0123456789","amount":10}`)
	now := time.Unix(1704067200, 0)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			check := newMinimalSigner(testKey, testSecret)
			for i := range 200 {
				nonce := fmt.Sprintf("nonce-%02d-%04d-abcdefgh", g, i)
				req, _ := http.NewRequest("POST", "https://api.iimmpact.com/v2/topup", nil)
				if err := s.Sign(req, body, now, nonce); err != nil {
					t.Error(err)
					return
				}
				want := http.Header{}
				check.sign(want, "POST", "", body, now.Unix(), nonce)
				if got := req.Header.Get("X-Signature"); got != want.Get("X-Signature") {
					t.Errorf("goroutine %d, signature %d: %s, want %s", g, i, got, want.Get("X-Signature"))
					return
				}
			}
		}()
	}
	wg.Wait()
}
