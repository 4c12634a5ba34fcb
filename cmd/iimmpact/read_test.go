package main

import (
	"strings"
	"testing"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBalance(t *testing.T) {
	srv := iimmpacttest.NewServer(iimmpacttest.WithBalance(iimmpact.MustParseAmount("48.6333")))
	defer srv.Close()

	r := cli(t, fakeEnv(srv), "balance")
	requireCode(t, 0, r)
	assert.Contains(t, r.stdout, "Balance:  RM 48.6333\n")
	assert.Contains(t, r.stdout, "Account:  3100528\n")
	assert.Contains(t, r.stdout, "full (may pay)")
	assert.Empty(t, r.stderr)

	r = cli(t, fakeEnv(srv), "balance", "--json")
	requireCode(t, 0, r)
	var b balanceJSON
	decode(t, r, &b)
	assert.Equal(t, iimmpact.MustParseAmount("48.6333"), b.Balance)
	assert.Equal(t, "3100528", b.Account)
	assert.True(t, b.CanTopup)
}

func TestProducts(t *testing.T) {
	srv := iimmpacttest.NewServer()
	defer srv.Close()

	r := cli(t, fakeEnv(srv), "products")
	requireCode(t, 0, r)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 1+len(srv.ProductCodes()))
	assert.Regexp(t, `^CODE\s+NAME\s+GROUP\s+CATEGORY\s+STATUS\s+AMOUNTS$`, lines[0])
	assert.Regexp(t, `(?m)^D\s+Digi Prepaid\s+Mobile Reload\s+Prepaid\s+Active\s+RM 5, 10, 15, 20, 25, 30, 50, 100$`, r.stdout)
	assert.Regexp(t, `(?m)^TNB\s+.*\s+any$`, r.stdout)
	// Columns line up: every row's second column starts where the header's does.
	col := strings.Index(lines[0], "NAME")
	for _, l := range lines[1:] {
		assert.NotEqual(t, byte(' '), l[col], "row %q is not aligned", l)
		assert.Equal(t, byte(' '), l[col-1], "row %q is not aligned", l)
	}

	r = cli(t, fakeEnv(srv), "products", "--group", "mobile reload", "--search", "o", "--json")
	requireCode(t, 0, r)
	var ps []productJSON
	decode(t, r, &ps)
	var codes []string
	for _, p := range ps {
		codes = append(codes, p.Code)
	}
	assert.Equal(t, []string{"C", "M"}, codes, "Celcom and Hotlink contain an o; Digi does not")
	assert.Equal(t, "Mobile Reload", ps[0].Group)

	r = cli(t, fakeEnv(srv), "products", "--category", "Utilities", "--json")
	requireCode(t, 0, r)
	decode(t, r, &ps)
	require.Len(t, ps, 1)
	assert.Equal(t, "TNB", ps[0].Code)
	assert.Empty(t, ps[0].Denominations, "an open amount lists no denominations")
}

func TestCatalog(t *testing.T) {
	srv := iimmpacttest.NewServer()
	defer srv.Close()

	r := cli(t, fakeEnv(srv), "catalog")
	requireCode(t, 0, r)
	assert.Regexp(t, `(?m)^GROUP\s+CATEGORY\s+CODE\s+NAME\s+TYPE\s+PROCESSING$`, r.stdout)
	assert.Regexp(t, `(?m)^Bill Payment\s+Utilities\s+TNB\s+Tenaga Nasional Berhad\s+standard\s+instant$`, r.stdout)

	r = cli(t, fakeEnv(srv), "catalog", "--group", "grp_gift_card", "--json")
	requireCode(t, 0, r)
	var rows []catalogProductJSON
	decode(t, r, &rows)
	require.Len(t, rows, 1)
	assert.Equal(t, "GC", rows[0].Code)
	assert.JSONEq(t, `{"discount_rate":0,"model":"percentage_discount"}`, string(rows[0].Pricing))

	r = cli(t, fakeEnv(srv), "catalog", "--product", "D", "--json")
	requireCode(t, 0, r)
	decode(t, r, &rows)
	require.Len(t, rows, 1, "the server filters by product")
	assert.Equal(t, "D", rows[0].Code)
}

func TestStatus(t *testing.T) {
	srv := iimmpacttest.NewServer(iimmpacttest.WithNetworkStatus("C", "Interruption"))
	defer srv.Close()

	r := cli(t, fakeEnv(srv), "status", "D", "C")
	requireCode(t, 0, r)
	assert.Regexp(t, `(?m)^D\s+Digi Prepaid\s+Healthy\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`, r.stdout)
	assert.Regexp(t, `(?m)^C\s+Celcom Prepaid\s+Interruption\s`, r.stdout)

	r = cli(t, fakeEnv(srv), "status", "C", "--json")
	requireCode(t, 0, r)
	var ns []networkStatusJSON
	decode(t, r, &ns)
	require.Len(t, ns, 1)
	assert.False(t, ns[0].Healthy)
	assert.Equal(t, "Interruption", ns[0].Status)

	r = cli(t, fakeEnv(srv), "status", "NOSUCH")
	requireCode(t, exitError, r)
	assert.Contains(t, r.stderr, "iimmpact:")
	assert.Empty(t, r.stdout)

	r = cli(t, fakeEnv(srv), "status")
	requireCode(t, exitError, r)
	assert.Contains(t, r.stderr, "requires at least 1 arg")
}
