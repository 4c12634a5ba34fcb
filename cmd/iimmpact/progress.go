package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"
)

// progress is one status line on stderr that redraws itself in place
// ("\r" then erase-line). It draws only when its writer is a terminal: piped
// or redirected, it writes nothing at all, so scripts see only the result.
type progress struct {
	w    io.Writer
	fd   int
	on   bool
	line func() string

	mu    sync.Mutex
	drawn bool
	stop  chan struct{}
	done  chan struct{}
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.on, p.fd = true, int(f.Fd())
	}
	return p
}

// start draws line() now and then every interval, until finish.
func (p *progress) start(every time.Duration, line func() string) {
	if !p.on {
		return
	}
	p.line, p.stop, p.done = line, make(chan struct{}), make(chan struct{})
	p.redraw()
	go func() {
		defer close(p.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.redraw()
			}
		}
	}()
}

// redraw draws the line at once, e.g. when a new answer came.
func (p *progress) redraw() {
	if !p.on || p.line == nil {
		return
	}
	s := p.line()
	if width, _, err := term.GetSize(p.fd); err == nil && width > 1 {
		s = truncate(s, width-1) // a wrapped line cannot be redrawn in place
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprint(p.w, "\r\x1b[K"+s)
	p.drawn = true
}

// finish stops redrawing and erases the line, leaving the terminal clean
// for the result.
func (p *progress) finish() {
	if !p.on || p.stop == nil {
		return
	}
	close(p.stop)
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
	p.stop = nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// elapsed renders a duration for a progress line: "4.2s", "2m05s".
func elapsed(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
}
