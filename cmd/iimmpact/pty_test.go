package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// onTerminal runs the binary with stderr on a real pseudo-terminal (and
// stdout piped), returning what the terminal received.
func onTerminal(t *testing.T, env []string, args ...string) (result, string) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	require.NoError(t, err)
	defer ptmx.Close()
	require.NoError(t, pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: 160}))

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out bytes.Buffer
	cmd := command(ctx, env, args...)
	cmd.Stdout, cmd.Stderr = &out, tty
	require.NoError(t, cmd.Start())
	tty.Close() // the child holds it now; EOF (EIO) comes when the child exits

	screen := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(ptmx) // ends with EIO on Linux once the child has gone
		screen <- string(b)
	}()
	err = cmd.Wait()
	r := result{stdout: out.String()}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		r.code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	select {
	case s := <-screen:
		return r, s
	case <-time.After(10 * time.Second):
		t.Fatal("the terminal never closed")
	}
	return r, ""
}

const erase = "\r\x1b[K"

// frames splits what the terminal got into the lines drawn in place.
func frames(t *testing.T, screen string) []string {
	t.Helper()
	require.True(t, strings.HasPrefix(screen, erase), "every frame starts by erasing the line: %q", screen)
	require.True(t, strings.HasSuffix(screen, erase), "the line is erased at the end: %q", screen)
	assert.NotContains(t, screen, "\n", "redrawn in place: never a new line")
	var fs []string
	for _, f := range strings.Split(screen, erase) {
		if f != "" {
			fs = append(fs, f)
		}
	}
	return fs
}

func TestTopupWaitProgressOnTerminal(t *testing.T) {
	srv := iimmpacttest.NewServer(iimmpacttest.WithSettleAfter(4))
	defer srv.Close()
	args := []string{"topup", "--refid", "PTY-1", "--product", "D", "--account", "0123456789", "--amount", "30",
		"--wait", "--poll-min", "150ms", "--poll-max", "200ms", "--progress-interval", "40ms"}

	r, screen := onTerminal(t, fakeEnv(srv), args...)
	requireCode(t, exitOK, r)
	assert.Regexp(t, `(?m)^Outcome:\s+succeeded$`, r.stdout, "the result goes to stdout")

	fs := frames(t, screen)
	require.Greater(t, len(fs), 8, "redrawn many times while waiting: %q", fs)
	line := regexp.MustCompile(`^waiting for PTY-1: (\d+\.\d)s elapsed, polls: (\d+), last status: (.*)$`)
	var lastPolls int
	var lastElapsed float64
	sawProcessing := false
	for _, f := range fs {
		m := line.FindStringSubmatch(f)
		require.NotNil(t, m, "frame %q", f)
		el, _ := strconv.ParseFloat(m[1], 64)
		polls, _ := strconv.Atoi(m[2])
		assert.GreaterOrEqual(t, el, lastElapsed, "elapsed time never goes back")
		assert.GreaterOrEqual(t, polls, lastPolls, "polls never go back")
		lastElapsed, lastPolls = el, polls
		sawProcessing = sawProcessing || m[3] == "Processing (1)"
	}
	assert.True(t, sawProcessing, "the last status was shown while pending")
	assert.Equal(t, 5, lastPolls, "the creating answer and four polls")
	assert.Contains(t, fs[0], "no answer yet", "the first frame comes before the first answer")

	// Piped, the same command prints nothing extra at all.
	srv2 := iimmpacttest.NewServer(iimmpacttest.WithSettleAfter(4))
	defer srv2.Close()
	piped := cli(t, fakeEnv(srv2), args...)
	requireCode(t, exitOK, piped)
	assert.Empty(t, piped.stderr)
	assert.Equal(t, strings.Count(r.stdout, "\n"), strings.Count(piped.stdout, "\n"))
}

func TestHistoryProgressOnTerminal(t *testing.T) {
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	pay(t, srv, 11)
	// Each page is held back a little, so the walk takes long enough to watch.
	srv.ScriptFaults("/v2/transactions", iimmpacttest.DelayFault(60*time.Millisecond),
		iimmpacttest.DelayFault(60*time.Millisecond), iimmpacttest.DelayFault(60*time.Millisecond),
		iimmpacttest.DelayFault(60*time.Millisecond))
	args := []string{"history", "--page-size", "4", "--progress-interval", "20ms", "--json"}

	r, screen := onTerminal(t, fakeEnv(srv), args...)
	requireCode(t, exitOK, r)
	var recs []recordJSON
	decode(t, r, &recs) // stdout stays pure JSON
	assert.Len(t, recs, 12)

	fs := frames(t, screen)
	require.Greater(t, len(fs), 3, "%q", fs)
	line := regexp.MustCompile(`^fetching history \d{4}-\d\d-\d\d: (\d+) records, (\d+) pages, \d+\.\ds$`)
	counts := map[string]bool{}
	for _, f := range fs {
		m := line.FindStringSubmatch(f)
		require.NotNil(t, m, "frame %q", f)
		counts[m[1]] = true
	}
	assert.True(t, counts["0"] && counts["4"] && counts["8"], "the count grows page by page: %v", counts)

	srv.ScriptFaults("/v2/transactions")
	piped := cli(t, fakeEnv(srv), args...)
	requireCode(t, exitOK, piped)
	assert.Empty(t, piped.stderr, "piped: no progress at all")
}
