package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// running is a long-lived command (listen, sandbox) started in the background.
type running struct {
	cmd         *exec.Cmd
	out, errOut syncBuffer
	done        chan struct{}
	err         error
}

func start(t *testing.T, env []string, args ...string) *running {
	t.Helper()
	r := &running{done: make(chan struct{})}
	r.cmd = command(context.Background(), env, args...)
	r.cmd.Stdout, r.cmd.Stderr = &r.out, &r.errOut
	require.NoError(t, r.cmd.Start())
	go func() { r.err = r.cmd.Wait(); close(r.done) }()
	t.Cleanup(func() {
		select {
		case <-r.done:
		default:
			_ = r.cmd.Process.Kill()
			<-r.done
		}
	})
	return r
}

// waitFor waits until re matches what the command wrote to w.
func (r *running) waitFor(t *testing.T, w *syncBuffer, re string) []string {
	t.Helper()
	rx := regexp.MustCompile(re)
	var m []string
	require.Eventually(t, func() bool { m = rx.FindStringSubmatch(w.String()); return m != nil },
		10*time.Second, 5*time.Millisecond, "waiting for %q; stdout:\n%s\nstderr:\n%s", re, r.out.String(), r.errOut.String())
	return m
}

// stop sends sig and returns the exit status.
func (r *running) stop(t *testing.T, sig syscall.Signal) int {
	t.Helper()
	require.NoError(t, r.cmd.Process.Signal(sig))
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the command did not stop")
	}
	var ee *exec.ExitError
	if errors.As(r.err, &ee) {
		return ee.ExitCode()
	}
	require.NoError(t, r.err)
	return 0
}

func callbackEvents(t *testing.T, out string) []callbackEvent {
	t.Helper()
	var evs []callbackEvent
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var ev callbackEvent
		require.NoError(t, json.Unmarshal([]byte(line), &ev), line)
		evs = append(evs, ev)
	}
	return evs
}

func TestListenPrintsEachCallbackWithVerdict(t *testing.T) {
	l := start(t, nil, "listen", "--addr", "127.0.0.1:0", "--allow", "127.0.0.1", "--json")
	addr := l.waitFor(t, &l.errOut, `listening on (http://\S+) \(allowlist \[127.0.0.1\]`)[1]

	srv := iimmpacttest.NewServer(iimmpacttest.WithSettleAfter(1), iimmpacttest.WithCallback(addr+"/cb", "POST"),
		iimmpacttest.WithCallbackPolicy(0, time.Millisecond, 5*time.Second))
	defer srv.Close()
	c := srv.Client(iimmpact.WithHTTPClient(&http.Client{}))
	req := iimmpact.TopupRequest{RefID: "CB-1", Product: "GC", Account: "0123456789", Amount: iimmpact.AmountFromInt(10)}
	_, err := c.WaitTopup(t.Context(), req, iimmpact.WithPollInterval(time.Millisecond, 2*time.Millisecond))
	require.NoError(t, err)
	require.NoError(t, srv.WaitCallbacks(t.Context()))
	l.waitFor(t, &l.out, `(?s)"status_code": ?20.*\n`)

	evs := callbackEvents(t, l.out.String())
	require.Len(t, evs, 2, "Processing, then Succesful")
	for i, want := range []iimmpact.StatusCode{iimmpact.StatusProcessing, iimmpact.StatusSuccessful} {
		ev := evs[i]
		assert.Equal(t, "accepted", ev.Verdict)
		assert.True(t, ev.Allowed)
		assert.Equal(t, http.StatusOK, ev.HTTPStatus)
		assert.Equal(t, "CB-1", ev.RefID)
		assert.Equal(t, want, ev.StatusCode)
		assert.Equal(t, "/cb", ev.Path)
		assert.Equal(t, "127.0.0.1", ev.Peer)
	}
	assert.True(t, evs[1].HasPIN)
	assert.NotContains(t, l.out.String(), pinOf(t, srv, "CB-1", "GC", "10"), "the voucher PIN is never printed")
	for _, a := range srv.Callbacks() {
		assert.Equal(t, http.StatusOK, a.HTTPStatus, "the fake saw listen acknowledge")
	}

	// The same callback again is acknowledged as a duplicate.
	cb := iimmpacttest.NewCallbackRequest("POST", iimmpact.Transaction{RefID: "CB-1", StatusCode: 20,
		Status: "Succesful", Product: "GC", Account: "0123456789", Amount: iimmpact.AmountFromInt(10)})
	resp, err := http.Post(addr+"/cb", "application/json", cb.Body)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	l.waitFor(t, &l.out, `"verdict": ?"duplicate"`)

	assert.Equal(t, 0, l.stop(t, syscall.SIGINT))
}

func TestListenRefusesOutsideTheAllowlist(t *testing.T) {
	// The default allowlist is IIMMPACT's production addresses: a callback
	// from this machine is refused, 403, and printed as such.
	l := start(t, nil, "listen", "--addr", "127.0.0.1:0")
	addr := l.waitFor(t, &l.errOut, `listening on (http://\S+)`)[1]

	srv := iimmpacttest.NewServer(iimmpacttest.WithCallback(addr, "GET"),
		iimmpacttest.WithCallbackPolicy(2, time.Millisecond, 5*time.Second))
	defer srv.Close()
	_, err := srv.Client().Topup(t.Context(), iimmpact.TopupRequest{RefID: "CB-2", Product: "D",
		Account: "0123456789", Amount: iimmpact.AmountFromInt(30)})
	require.NoError(t, err)
	require.NoError(t, srv.WaitCallbacks(t.Context()))
	line := l.waitFor(t, &l.out, `.*CB-2.*\n`)[0]
	assert.Regexp(t, `^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d  GET / from 127.0.0.1  REFUSED \(not in allowlist\) → 403 source not allowlisted  refid CB-2  Succesful \(20\)  D 0123456789  RM 30.00\n$`, line)
	attempts := srv.Callbacks()
	require.Len(t, attempts, 1, "a 403 is permanent: IIMMPACT does not retry it")
	assert.Equal(t, http.StatusForbidden, attempts[0].HTTPStatus)

	// Behind a trusted proxy the sender comes from X-Forwarded-For.
	assert.Equal(t, http.StatusForbidden, postForwarded(t, addr), "no proxy is trusted, so the header is ignored")
	assert.Equal(t, 0, l.stop(t, syscall.SIGTERM))

	l = start(t, nil, "listen", "--addr", "127.0.0.1:0", "--trust-proxy", "127.0.0.1", "--json")
	addr = l.waitFor(t, &l.errOut, `listening on (http://\S+)`)[1]
	assert.Equal(t, http.StatusOK, postForwarded(t, addr))
	l.waitFor(t, &l.out, `CB-3`)
	ev := callbackEvents(t, l.out.String())[0]
	assert.Equal(t, iimmpact.ProductionCallbackIPs()[0], ev.Peer)
	assert.Equal(t, "accepted", ev.Verdict)
	assert.Equal(t, 0, l.stop(t, syscall.SIGTERM))
}

// postForwarded sends a Processing callback for CB-3 as a proxy would,
// naming IIMMPACT's first production address in X-Forwarded-For.
func postForwarded(t *testing.T, addr string) int {
	t.Helper()
	req, err := http.NewRequest("POST", addr, strings.NewReader(
		`{"data":{"statusCode":1,"status":"Processing","refid":"CB-3","product":"D","account":"0123456789","amount":30}}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", iimmpact.ProductionCallbackIPs()[0])
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

func TestListenBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"listen", "--allow", "10.0.0.1/8"},
		{"listen", "--trust-proxy", "not-an-ip"},
		{"listen", "--addr", "nonsense"},
	} {
		r := cli(t, nil, args...)
		requireCode(t, exitError, r)
		assert.Contains(t, r.stderr, "iimmpact:", "%v", args)
	}
}

func TestSandbox(t *testing.T) {
	const key, secret = "iimm_dev_cli", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	// Go-style single-dash flags, exactly as cmd/iimmpact-sandbox takes them.
	s := start(t, nil, "sandbox", "-addr", "127.0.0.1:0", "-api-key", key, "-secret", secret,
		"-balance", "100", "--settle-polls", "1")
	url := s.waitFor(t, &s.out, `URL:\s+(http://\S+)`)[1]
	assert.Contains(t, s.out.String(), "API key:     "+key)
	assert.Contains(t, s.out.String(), "HMAC secret: "+secret)

	env := []string{"IIMMPACT_BASE_URL=" + url, "IIMMPACT_API_KEY=" + key, "IIMMPACT_HMAC_SECRET=" + secret}
	r := cli(t, env, "balance", "--json")
	requireCode(t, exitOK, r)
	var b balanceJSON
	decode(t, r, &b)
	assert.Equal(t, iimmpact.AmountFromInt(100), b.Balance)
	r = cli(t, env, "topup", "--refid", "SB-1", "--product", "D", "--account", "0123456789", "--amount", "10")
	requireCode(t, exitPending, r) // -settle-polls 1 took effect

	assert.Equal(t, 0, s.stop(t, syscall.SIGTERM))
	assert.Contains(t, s.out.String(), "shutting down")
}

func TestSandboxFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-api-key", "k"},
		{"-balance", "lots"},
		{"-callback-url", "not a url"},
		{"-callback-url", "http://127.0.0.1:9/cb", "-callback-method", "PUT"},
		{"-no-such-flag"},
		{"extra-argument"},
	} {
		r := cli(t, nil, append([]string{"sandbox", "-addr", "127.0.0.1:0"}, args...)...)
		requireCode(t, exitError, r)
		assert.Contains(t, r.stderr, "iimmpact:", "%v", args)
	}
	r := cli(t, nil, "sandbox", "-h")
	requireCode(t, exitOK, r)
	for _, flag := range []string{"-addr", "-balance", "-api-key", "-secret", "-callback-url", "-callback-method",
		"-callback-retries", "-callback-delay", "-callback-timeout", "-settle-polls", "-settle-delay", "-seed", "-v"} {
		assert.Regexp(t, `(?m)^  `+flag+`\b`, r.stdout, "sandbox -h lists %s", flag)
	}
	assert.Contains(t, r.stdout, "Examples:")
	assert.NotContains(t, r.stdout, "--api-key string", "the CLI's own flags do not apply to sandbox")
	for _, help := range [][]string{{"sandbox", "--help"}, {"help", "sandbox"}} {
		assert.Equal(t, r, cli(t, nil, help...), "%v", help)
	}
}

// TestSandboxTakesTheStandaloneFlags: the flags cmd/iimmpact-sandbox has
// beyond the first ones work here too (one flag set, internal/sandboxflags),
// and -h ends with the same wire guide.
func TestSandboxTakesTheStandaloneFlags(t *testing.T) {
	for _, args := range [][]string{{"-validation-form", "xml"}, {"-callback-source", "nowhere"}, {"-accepted-polls", "-1"}} {
		r := cli(t, nil, append([]string{"sandbox", "-addr", "127.0.0.1:0"}, args...)...)
		requireCode(t, exitError, r)
		assert.Contains(t, r.stderr, "iimmpact:", "%v", args)
	}
	r := cli(t, nil, "sandbox", "-h")
	requireCode(t, exitOK, r)
	for _, flag := range []string{"-start-time", "-accepted-polls", "-validation-form", "-rate-limit", "-callback-source"} {
		assert.Regexp(t, `(?m)^  `+flag+`\b`, r.stdout, "sandbox -h lists %s", flag)
	}
	assert.True(t, strings.HasSuffix(r.stdout, iimmpacttest.WireGuide), "sandbox -h ends with the wire guide")

	// The sandbox's clock starts at -start-time (2024-01-01 08:00 GMT+8),
	// so a payment made at once carries that time.
	const key, secret = "iimm_dev_cli", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	s := start(t, nil, "sandbox", "-addr", "127.0.0.1:0", "-api-key", key, "-secret", secret, "-start-time", "1704067200")
	url := s.waitFor(t, &s.out, `URL:\s+(http://\S+)`)[1]
	r = cli(t, []string{"IIMMPACT_BASE_URL=" + url, "IIMMPACT_API_KEY=" + key, "IIMMPACT_HMAC_SECRET=" + secret},
		"topup", "--refid", "SB-2024", "--product", "D", "--account", "0123456789", "--amount", "10", "--json")
	requireCode(t, exitOK, r)
	assert.Contains(t, r.stdout, `"timestamp": "2024-01-01T08:00:`)
	assert.Equal(t, 0, s.stop(t, syscall.SIGTERM))
}

func TestListenStagingAllowlist(t *testing.T) {
	l := start(t, nil, "listen", "--staging", "--addr", "127.0.0.1:0")
	want := strings.Join(iimmpact.StagingCallbackIPs(), " ")
	l.waitFor(t, &l.errOut, regexp.QuoteMeta("(allowlist ["+want+"]"))
	assert.Equal(t, 0, l.stop(t, syscall.SIGTERM))
}
