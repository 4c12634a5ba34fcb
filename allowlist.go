package iimmpact

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// ProductionCallbackIPs returns the addresses IIMMPACT's production
// callbacks come from, as published in its webhook documentation. It is a
// function returning a fresh slice, not a variable, so no caller can change
// the list another caller sees.
func ProductionCallbackIPs() []string {
	return []string{"18.140.170.98", "13.215.6.214", "43.217.31.158", "43.216.193.68"}
}

// StagingCallbackIPs returns the addresses IIMMPACT's staging callbacks
// come from; a fresh slice each call, like ProductionCallbackIPs.
func StagingCallbackIPs() []string {
	return []string{"3.1.120.89", "43.217.127.11"}
}

// IPAllowlist is an immutable set of IP addresses and CIDR prefixes. IPv4
// and IPv4-mapped IPv6 forms of an address are the same address. A nil or
// empty list contains nothing, so a forgotten allowlist refuses everyone.
type IPAllowlist struct {
	prefixes []netip.Prefix
}

// NewIPAllowlist builds an allowlist from addresses ("18.140.170.98",
// "2001:db8::1") and CIDR prefixes ("10.0.0.0/8"); whitespace around an
// entry is ignored. Every entry must parse: a typo is an error naming it,
// never an entry silently dropped. A prefix with host bits set
// ("10.0.0.1/8") is refused too, because it is ambiguous between the
// address and the network. With no entries the list contains nothing.
//
//	allow, err := iimmpact.NewIPAllowlist(iimmpact.ProductionCallbackIPs()...)
func NewIPAllowlist(entries ...string) (*IPAllowlist, error) {
	l := &IPAllowlist{prefixes: make([]netip.Prefix, 0, len(entries))}
	for _, raw := range entries {
		p, err := parseAllowEntry(strings.TrimSpace(raw))
		if err != nil {
			return nil, fmt.Errorf("iimmpact: allowlist entry %q: %w", raw, err)
		}
		l.prefixes = append(l.prefixes, p)
	}
	return l, nil
}

func parseAllowEntry(s string) (netip.Prefix, error) {
	if s == "" {
		return netip.Prefix{}, errors.New("empty entry")
	}
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, errors.New("not an IP address or CIDR prefix")
		}
		if a.Zone() != "" {
			return netip.Prefix{}, errors.New("an address with a zone cannot be allowlisted")
		}
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, errors.New("not an IP address or CIDR prefix")
	}
	if p != p.Masked() {
		return netip.Prefix{}, fmt.Errorf("host bits are set: write %s for the network or a single address", p.Masked())
	}
	if a := p.Addr(); a.Is4In6() {
		if p.Bits() < 96 {
			return netip.Prefix{}, errors.New("prefix mixes IPv4-mapped and other IPv6 addresses")
		}
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p, nil
}

// Contains reports whether a is in the list. An IPv4-mapped IPv6 address
// (::ffff:18.140.170.98) matches its IPv4 form; a zone is ignored. A nil
// list contains nothing.
func (l *IPAllowlist) Contains(a netip.Addr) bool {
	if l == nil || !a.IsValid() {
		return false
	}
	a = a.Unmap().WithZone("")
	for _, p := range l.prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Len returns the number of entries.
func (l *IPAllowlist) Len() int {
	if l == nil {
		return 0
	}
	return len(l.prefixes)
}

// String lists the entries, e.g. "[18.140.170.98 10.0.0.0/8]".
func (l *IPAllowlist) String() string {
	if l == nil {
		return "[]"
	}
	parts := make([]string, len(l.prefixes))
	for i, p := range l.prefixes {
		if p.IsSingleIP() {
			parts[i] = p.Addr().String()
		} else {
			parts[i] = p.String()
		}
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// errBadPeer and errBadForwardedFor are refusal reasons for the log.
var (
	errBadPeer         = errors.New("RemoteAddr is not an IP address")
	errBadForwardedFor = errors.New("malformed X-Forwarded-For")
)

// peerAddr returns the address a request came from. The direct peer
// (RemoteAddr) is the answer unless it is one of trusted: only then is
// X-Forwarded-For read, right to left, skipping trusted hops, and the first
// address that is not a trusted proxy is the client. Entries left of it
// were written by the client itself and are never looked at. If every hop
// is trusted, the leftmost is the client. An entry is an IP address, with
// or without a port ("18.140.170.98:4711", "[2001:db8::1]:443", as Azure
// Application Gateway and others write them); any other entry among those
// examined is an error: the request is refused rather than attributed to a
// guess.
func peerAddr(r *http.Request, trusted *IPAllowlist) (netip.Addr, error) {
	peer, err := parseRemoteAddr(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}, err
	}
	if !trusted.Contains(peer) {
		return peer, nil
	}
	hops := r.Header.Values("X-Forwarded-For")
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		line := hops[i]
		for {
			var hop string
			if j := strings.LastIndexByte(line, ','); j >= 0 {
				line, hop = line[:j], line[j+1:]
			} else {
				hop, line = line, ""
			}
			a, ok := parseHop(strings.TrimSpace(hop))
			if !ok {
				return netip.Addr{}, errBadForwardedFor
			}
			client = a
			if !trusted.Contains(client) {
				return client, nil
			}
			if line == "" {
				break
			}
		}
	}
	return client, nil
}

// parseHop reads one X-Forwarded-For entry: "ip", "ip:port", "[ipv6]" or
// "[ipv6]:port". A zone is refused: it names an interface of the proxy.
func parseHop(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		var ap netip.AddrPort
		if ap, err = netip.ParseAddrPort(s); err == nil {
			a = ap.Addr()
		} else if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
			a, err = netip.ParseAddr(s[1 : len(s)-1])
			if err == nil && !a.Is6() {
				err = errBadForwardedFor // "[1.2.3.4]" is no address form
			}
		}
	}
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// parseRemoteAddr reads "ip:port", "[ipv6]:port" or a bare IP.
func parseRemoteAddr(s string) (netip.Addr, error) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), nil
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone(""), nil
	}
	return netip.Addr{}, errBadPeer
}
