package iimmpact

import (
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewIPAllowlistRefusesTypos(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{
		"", "   ", "18.140.170.988", "18.140.170", "18,140.170.98", "10.0.0.0/33", "10.0.0.1/8",
		"2001:db8::/129", "fe80::1%eth0", "example.com", "18.140.170.98:443", "::ffff:1.2.3.4/64",
	} {
		l, err := NewIPAllowlist("13.215.6.214", bad)
		require.Error(t, err, "%q", bad)
		assert.Nil(t, l)
		assert.Contains(t, err.Error(), `"`+bad+`"`, "the error names the entry")
	}
}

func TestIPAllowlistContains(t *testing.T) {
	t.Parallel()
	l, err := NewIPAllowlist(append(ProductionCallbackIPs(), " 10.1.0.0/16 ", "2001:db8::/32", "::ffff:192.0.2.0/120")...)
	require.NoError(t, err)
	assert.Equal(t, 7, l.Len())
	assert.Equal(t, "[18.140.170.98 13.215.6.214 43.217.31.158 43.216.193.68 10.1.0.0/16 2001:db8::/32 192.0.2.0/24]", l.String())
	for addr, want := range map[string]bool{
		"18.140.170.98":        true,
		"::ffff:18.140.170.98": true, // IPv4-mapped form of an allowed address
		"43.216.193.68":        true,
		"43.216.193.69":        false,
		"10.1.255.255":         true,
		"10.2.0.0":             false,
		"2001:db8::42":         true,
		"2001:db9::":           false,
		"192.0.2.7":            true,
		"::ffff:192.0.2.7":     true,
		"3.1.120.89":           false, // staging is not production
		"::":                   false,
	} {
		assert.Equal(t, want, l.Contains(netip.MustParseAddr(addr)), addr)
	}
	assert.False(t, l.Contains(netip.Addr{}))
}

func TestEmptyAllowlistsContainNothing(t *testing.T) {
	t.Parallel()
	var nilList *IPAllowlist
	empty, err := NewIPAllowlist()
	require.NoError(t, err)
	for _, l := range []*IPAllowlist{nilList, empty} {
		assert.False(t, l.Contains(netip.MustParseAddr("18.140.170.98")))
		assert.Equal(t, 0, l.Len())
	}
}

func TestPublishedCallbackIPs(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []string{"18.140.170.98", "13.215.6.214", "43.217.31.158", "43.216.193.68"}, ProductionCallbackIPs())
	assert.Equal(t, []string{"3.1.120.89", "43.217.127.11"}, StagingCallbackIPs())
	// A caller changing its copy does not change anyone else's.
	ips := ProductionCallbackIPs()
	ips[0] = "0.0.0.0"
	assert.Equal(t, "18.140.170.98", ProductionCallbackIPs()[0])
}

func TestPeerAddr(t *testing.T) {
	t.Parallel()
	proxies, err := NewIPAllowlist("10.0.0.0/8", "fd00::/8")
	require.NoError(t, err)
	for _, tt := range []struct {
		name, remote string
		xff          []string
		trusted      *IPAllowlist
		want         string // "" means refused
	}{
		{"direct", "18.140.170.98:50000", nil, proxies, "18.140.170.98"},
		{"bare IP", "18.140.170.98", nil, proxies, "18.140.170.98"},
		{"IPv6 peer", "[2001:db8::1]:443", nil, proxies, "2001:db8::1"},
		{"IPv4-mapped peer", "[::ffff:18.140.170.98]:443", nil, proxies, "18.140.170.98"},
		{"zone dropped", "[fe80::1%eth0]:443", nil, nil, "fe80::1"},
		{"garbage peer", "pipe", nil, proxies, ""},
		{"spoofed XFF from untrusted peer is ignored", "203.0.113.9:1", []string{"18.140.170.98"}, proxies, "203.0.113.9"},
		{"XFF ignored without trusted proxies", "10.0.0.1:1", []string{"18.140.170.98"}, nil, "10.0.0.1"},
		{"proxy forwards client", "10.0.0.1:1", []string{"18.140.170.98"}, proxies, "18.140.170.98"},
		{"rightmost untrusted wins over spoofed left", "10.0.0.1:1", []string{"18.140.170.98, 203.0.113.9"}, proxies, "203.0.113.9"},
		{"trusted hops skipped", "10.0.0.1:1", []string{"203.0.113.9, 18.140.170.98, 10.0.0.2, 10.0.0.3"}, proxies, "18.140.170.98"},
		{"several headers read as one list", "10.0.0.1:1", []string{"203.0.113.9", "18.140.170.98", "10.0.0.2"}, proxies, "18.140.170.98"},
		{"IPv4-mapped in XFF", "10.0.0.1:1", []string{"::ffff:18.140.170.98"}, proxies, "18.140.170.98"},
		{"IPv6 proxy", "[fd00::5]:1", []string{"18.140.170.98"}, proxies, "18.140.170.98"},
		{"all hops trusted: leftmost", "10.0.0.1:1", []string{"10.0.0.7, 10.0.0.2"}, proxies, "10.0.0.7"},
		{"no XFF from proxy: the proxy", "10.0.0.1:1", nil, proxies, "10.0.0.1"},
		{"malformed hop", "10.0.0.1:1", []string{"18.140.170.98, bogus"}, proxies, ""},
		// Azure Application Gateway and others write the client's port.
		{"hop with port", "10.0.0.1:1", []string{"18.140.170.98:4711"}, proxies, "18.140.170.98"},
		{"IPv6 hop with port", "10.0.0.1:1", []string{"[2001:db8::1]:5"}, proxies, "2001:db8::1"},
		{"bracketed IPv6 hop", "10.0.0.1:1", []string{"[2001:db8::1]"}, proxies, "2001:db8::1"},
		{"trusted hop with port skipped", "10.0.0.1:1", []string{"18.140.170.98:4711, 10.0.0.2:80"}, proxies, "18.140.170.98"},
		{"mapped hop with port", "10.0.0.1:1", []string{"[::ffff:18.140.170.98]:4711"}, proxies, "18.140.170.98"},
		{"port from an untrusted peer is still ignored", "203.0.113.9:1", []string{"18.140.170.98:4711"}, proxies, "203.0.113.9"},
		{"bracketed IPv4 hop", "10.0.0.1:1", []string{"[18.140.170.98]:5"}, proxies, ""},
		{"hop with zone and port", "10.0.0.1:1", []string{"[fe80::1%eth0]:5"}, proxies, ""},
		{"hop with bad port", "10.0.0.1:1", []string{"18.140.170.98:http"}, proxies, ""},
		{"hop with empty port", "10.0.0.1:1", []string{"18.140.170.98:"}, proxies, ""},
		{"empty hop", "10.0.0.1:1", []string{"18.140.170.98,,10.0.0.2"}, proxies, ""},
		{"empty header", "10.0.0.1:1", []string{""}, proxies, ""},
		{"garbage left of the client is never read", "10.0.0.1:1", []string{"bogus, 18.140.170.98"}, proxies, "18.140.170.98"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			got, err := peerAddr(r, tt.trusted)
			if tt.want == "" {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.String())
		})
	}
}
