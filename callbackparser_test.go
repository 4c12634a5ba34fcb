package iimmpact

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 11, defect 3: a trusted proxy that writes the client's port
// (Azure Application Gateway: "18.140.170.98:4711") got a permanent 403.
func TestCallbackHandlerReadsForwardedPorts(t *testing.T) {
	t.Parallel()
	proxies, err := NewIPAllowlist("10.0.0.0/8")
	require.NoError(t, err)
	for _, tt := range []struct {
		name, xff string
		want      int
	}{
		{"IPv4 with port", "18.140.170.98:4711", http.StatusOK},
		{"IPv6 with port", "[2001:db8::1]:4711", http.StatusOK},
		{"port after a spoofed entry", "203.0.113.9, 18.140.170.98:4711", http.StatusOK},
		{"unlisted client with port", "203.0.113.9:4711", http.StatusForbidden},
	} {
		for _, method := range []string{http.MethodPost, http.MethodGet} {
			t.Run(tt.name+" "+method, func(t *testing.T) {
				hs := newHarness(t, func(c *CallbackConfig) {
					c.Allowlist, err = NewIPAllowlist(append(ProductionCallbackIPs(), "2001:db8::1")...)
					require.NoError(t, err)
					c.TrustedProxies = proxies
				})
				r := seedPost(t, "callback_post_digi.json")
				if method == http.MethodGet {
					r = getCallback(seedGetQuery(t))
				}
				r.RemoteAddr = "10.0.0.7:33000"
				r.Header.Set("X-Forwarded-For", tt.xff)
				assert.Equal(t, tt.want, hs.serve(r).Code, hs.logText())
			})
		}
	}
}

// CallbackParser applies the allowlist and the trusted-proxy rule to GET
// and POST alike, without a CallbackHandler.
func TestCallbackParserChecksTheSource(t *testing.T) {
	t.Parallel()
	allow, err := NewIPAllowlist(ProductionCallbackIPs()...)
	require.NoError(t, err)
	proxies, err := NewIPAllowlist("10.0.0.0/8")
	require.NoError(t, err)
	p := &CallbackParser{Allowlist: allow, TrustedProxies: proxies}
	requests := map[string]func() *http.Request{
		http.MethodPost: func() *http.Request { return postCallback(fixture(t, "callback_post_digi.json")) },
		http.MethodGet:  func() *http.Request { return getCallback(seedGetQuery(t)) },
	}
	for method, req := range requests {
		for _, tt := range []struct {
			name, remote, xff string
			ok                bool
		}{
			{"from IIMMPACT", iimmpactIP + ":1", "", true},
			{"from elsewhere", "203.0.113.9:1", "", false},
			{"spoofed XFF from elsewhere", "203.0.113.9:1", iimmpactIP, false},
			{"through a trusted proxy", "10.0.0.1:1", iimmpactIP + ":4711", true},
			{"proxy forwarding an unlisted client", "10.0.0.1:1", "203.0.113.9", false},
			{"malformed XFF", "10.0.0.1:1", "junk", false},
			{"unreadable peer", "@unix", "", false},
		} {
			t.Run(method+" "+tt.name, func(t *testing.T) {
				r := req()
				r.RemoteAddr = tt.remote
				if tt.xff != "" {
					r.Header.Set("X-Forwarded-For", tt.xff)
				}
				cb, err := p.Parse(nil, r)
				if !tt.ok {
					assert.ErrorIs(t, err, ErrCallbackSource)
					assert.Nil(t, cb)
					return
				}
				require.NoError(t, err)
				assert.Equal(t, method, cb.Method)
				assert.NotEmpty(t, cb.RefID)
			})
		}
	}

	var zero *CallbackParser
	for _, parser := range []*CallbackParser{zero, {}, {TrustedProxies: proxies}} {
		r := fromIIMMPACT(requests[http.MethodPost]())
		_, err := parser.Parse(nil, r)
		assert.ErrorIs(t, err, ErrCallbackSource, "no allowlist allows nobody")
	}

	small := &CallbackParser{Allowlist: allow, MaxBytes: 64}
	_, err = small.Parse(nil, fromIIMMPACT(requests[http.MethodPost]()))
	assert.ErrorIs(t, err, ErrCallbackTooLarge, "MaxBytes applies")
}
