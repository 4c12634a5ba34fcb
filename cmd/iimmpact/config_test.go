package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHelpOnEveryCommand(t *testing.T) {
	r := cli(t, nil, "--help")
	requireCode(t, exitOK, r)
	assert.Contains(t, r.stdout, "Exit status:")
	block := regexp.MustCompile(`(?s)Available Commands:\n(.*?)\n\n`).FindStringSubmatch(r.stdout)
	require.NotNil(t, block, r.stdout)
	var cmds []string
	for _, line := range strings.Split(block[1], "\n") {
		cmds = append(cmds, strings.Fields(line)[0])
	}
	assert.Equal(t, []string{"balance", "catalog", "help", "history", "listen", "products", "reconcile", "resolve", "sandbox", "status", "topup", "tx"}, cmds)
	v := cli(t, nil, "--version")
	requireCode(t, exitOK, v)
	assert.Equal(t, "iimmpact version "+iimmpact.Version+"\n", v.stdout)
	for _, c := range cmds {
		if c == "help" {
			continue
		}
		r := cli(t, nil, c, "--help")
		requireCode(t, exitOK, r)
		assert.Regexp(t, `(?m)^Examples:\n  (iimmpact|export) `, r.stdout, "%s --help has an example", c)
		assert.Empty(t, r.stderr, c)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"no-such-command"},
		{"balance", "--no-such-flag"},
		{"balance", "extra"},
		{"tx"},
	} {
		r := cli(t, nil, args...)
		requireCode(t, exitError, r)
		assert.Empty(t, r.stdout, "%v", args)
		assert.Contains(t, r.stderr, "--help", "%v points at the help", args)
	}
}

func TestNoCredentials(t *testing.T) {
	r := cli(t, nil, "balance")
	requireCode(t, exitError, r)
	assert.Contains(t, r.stderr, "no credentials: set IIMMPACT_API_KEY and IIMMPACT_HMAC_SECRET")
}

func TestConfigFlagsWinOverEnvironment(t *testing.T) {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	secretFile := filepath.Join(t.TempDir(), "secret")
	require.NoError(t, os.WriteFile(secretFile, []byte(srv.HMACSecret+"\n"), 0o600))
	env := []string{"IIMMPACT_BASE_URL=http://127.0.0.1:1", "IIMMPACT_API_KEY=iimm_dev_wrong",
		"IIMMPACT_HMAC_SECRET=AAAA"}

	r := cli(t, env, "balance", "--base-url", srv.URL, "--api-key", srv.APIKey, "--hmac-secret-file", secretFile)
	requireCode(t, exitOK, r)

	r = cli(t, env, "balance", "--staging", "--base-url", srv.URL)
	requireCode(t, exitError, r)
	assert.Contains(t, r.stderr, "--staging and --base-url")

	r = cli(t, fakeEnv(srv), "balance", "--hmac-secret-file", filepath.Join(t.TempDir(), "missing"))
	requireCode(t, exitError, r)
	assert.Contains(t, r.stderr, "reading --hmac-secret-file")

	// The environment's wrong key against the fake: a 401, exit 2.
	r = cli(t, append(fakeEnv(srv), "IIMMPACT_API_KEY=iimm_dev_wrong"), "balance")
	requireCode(t, exitError, r)
	assert.Equal(t, "iimmpact: HTTP 401 Unauthorized: API key not found\n", r.stderr, "no usage hint for a refusal")
}

// Secrets are never printed: not in help, not with --verbose, not in errors.
func TestSecretsNeverPrinted(t *testing.T) {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	const dsnPassword = "hunter2-dsn-password"
	env := append(fakeEnv(srv), "IIMMPACT_DSN=postgres://ops:"+dsnPassword+"@127.0.0.1/payments")
	var all strings.Builder
	for _, args := range [][]string{
		{"--help"},
		{"balance"},
		{"products", "--json"},
		{"catalog"},
		{"status", "D"},
		{"topup", "--refid", "S-1", "--product", "D", "--account", "0123456789", "--amount", "30"},
		{"topup", "--refid", "S-2", "--product", "D", "--account", "0123456789", "--amount", "33"},
		{"tx", "S-1", "--requery"},
		{"history", "--account", "0123456789", "--csv"},
	} {
		r := cli(t, env, append(args, "--verbose")...)
		all.WriteString(r.stdout + r.stderr)
	}
	// Errors from a refused key and from a secret that is not Base64.
	r := cli(t, append(fakeEnv(srv), "IIMMPACT_HMAC_SECRET=bm90LXRoZS1zZWNyZXQ="), "balance", "-v")
	requireCode(t, exitError, r)
	all.WriteString(r.stdout + r.stderr)
	r = cli(t, append(fakeEnv(srv), "IIMMPACT_HMAC_SECRET=not*base64*secret"), "balance", "-v")
	requireCode(t, exitError, r)
	all.WriteString(r.stdout + r.stderr)

	out := all.String()
	assert.Contains(t, out, "iimmpact: request", "--verbose did log requests")
	assert.Contains(t, out, "with API key iimm_dev_…")
	for _, secret := range []string{srv.APIKey, srv.HMACSecret, "bm90LXRoZS1zZWNyZXQ=", "not*base64*secret",
		dsnPassword, "X-Signature", "v1="} {
		assert.NotContains(t, out, secret)
	}
	assert.NotContains(t, out, "canonical", "signing lines carry the query (account numbers)")
}
