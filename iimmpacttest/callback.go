package iimmpacttest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/iimmpact-go/iimmpact"
)

// CallbackAttempt is one delivery attempt of a transaction callback, as
// the fake sent it and as the receiver answered.
type CallbackAttempt struct {
	RefID      string              // the transaction's refid
	StatusCode iimmpact.StatusCode // the payment status code carried (1, 20, 48, ...)
	Method     string              // "POST" or "GET"
	URL        string              // full URL requested, query included for GET
	Body       []byte              // POST body {"data":{...}}; nil for GET
	Attempt    int                 // 1 for the first try, 2 for the first retry, ...
	HTTPStatus int                 // the receiver's status; 0 when no answer came
	Err        string              // network error or timeout; "" when an answer came
	Time       time.Time           // when the attempt started (wall clock)
	Source     string              // the address it came from (WithCallbackSource)
}

// callbackEvent is one status change waiting to be delivered.
type callbackEvent struct {
	data   topupData
	url    string
	method string
}

// newCallbackClient dials from source when it is a loopback address, the
// only kind a test machine can be sure to own; see WithCallbackSource.
func newCallbackClient(source string) *http.Client {
	d := &net.Dialer{Timeout: 30 * time.Second}
	if ip := net.ParseIP(source); ip != nil && ip.IsLoopback() {
		d.LocalAddr = &net.TCPAddr{IP: ip}
	}
	return &http.Client{
		Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 16, IdleConnTimeout: 30 * time.Second},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // a redirect is an answer, not followed
		},
	}
}

// enqueueCallbackLocked queues a status change for delivery. Events of one
// refid are delivered in order by one worker; different refids in
// parallel. The caller holds s.mu.
func (s *Server) enqueueCallbackLocked(d topupData) {
	if s.cbURL == "" || s.closed {
		return
	}
	q, running := s.cbQueues[d.RefID]
	s.cbQueues[d.RefID] = append(q, callbackEvent{data: d, url: s.cbURL, method: s.cbMethod})
	if !running {
		s.goLocked(func() { s.deliverQueue(d.RefID) })
	}
}

func (s *Server) deliverQueue(refID string) {
	for {
		s.mu.Lock()
		q := s.cbQueues[refID]
		if len(q) == 0 || s.ctx.Err() != nil {
			delete(s.cbQueues, refID)
			s.mu.Unlock()
			return
		}
		ev := q[0]
		s.cbQueues[refID] = q[1:]
		s.mu.Unlock()
		s.deliver(ev)
	}
}

// deliver makes the first attempt and the retries the policy allows.
func (s *Server) deliver(ev callbackEvent) {
	target, body := callbackRequest(ev)
	for attempt := 1; attempt <= 1+s.cfg.cbRetries; attempt++ {
		if attempt > 1 && !s.sleep(s.ctx, s.cfg.cbDelay) {
			return
		}
		rec := s.attempt(ev.method, target, body)
		if s.ctx.Err() != nil {
			return // Close interrupted it; not the receiver's doing
		}
		rec.RefID, rec.StatusCode, rec.Attempt = ev.data.RefID, iimmpact.StatusCode(ev.data.StatusCode), attempt
		s.mu.Lock()
		s.cbAttempts = append(s.cbAttempts, rec)
		s.mu.Unlock()
		s.log.Debug("iimmpacttest: callback", "refid", rec.RefID, "attempt", attempt, "http_status", rec.HTTPStatus, "error", rec.Err)
		if !retryableCallback(rec) {
			return
		}
	}
}

// retryableCallback follows IIMMPACT's policy: retry on network errors,
// 5xx, 408 and 429; a 2xx is done and any other answer is permanent.
func retryableCallback(rec CallbackAttempt) bool {
	return rec.HTTPStatus == 0 || rec.HTTPStatus >= 500 ||
		rec.HTTPStatus == http.StatusRequestTimeout || rec.HTTPStatus == http.StatusTooManyRequests
}

func (s *Server) attempt(method, target string, body []byte) CallbackAttempt {
	rec := CallbackAttempt{Method: method, URL: target, Body: body, Time: time.Now(), Source: s.cfg.callbackSource}
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.cbTimeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		rec.Err = err.Error()
		return rec
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", "iimmpacttest-callback/1")
	if ip := net.ParseIP(s.cfg.callbackSource); !ip.IsLoopback() {
		req.Header.Set("X-Forwarded-For", s.cfg.callbackSource)
	}
	resp, err := s.cbClient.Do(req)
	if err != nil {
		rec.Err = err.Error()
		if errors.Is(err, context.DeadlineExceeded) {
			rec.Err = "timeout after " + s.cfg.cbTimeout.String()
		}
		return rec
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	rec.HTTPStatus = resp.StatusCode
	return rec
}

// callbackRequest builds the URL and body of a callback. POST carries
// {"data":{...}}; GET carries refid, status (the numeric code), price (the
// cost) and message (the JSON of the inner object), form-encoded in that
// order and appended to any query the configured URL already has.
func callbackRequest(ev callbackEvent) (target string, body []byte) {
	if ev.method == http.MethodPost {
		return ev.url, marshal(map[string]topupData{"data": ev.data})
	}
	q := "refid=" + url.QueryEscape(ev.data.RefID) +
		"&status=" + strconv.Itoa(ev.data.StatusCode) +
		"&price=" + url.QueryEscape(ev.data.Cost.String()) +
		"&message=" + url.QueryEscape(string(marshal(ev.data)))
	sep := "?"
	if strings.Contains(ev.url, "?") {
		sep = "&"
	}
	return ev.url + sep + q, nil
}

// Callbacks returns every callback attempt made so far, oldest first.
func (s *Server) Callbacks() []CallbackAttempt {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]CallbackAttempt(nil), s.cbAttempts...)
}

// WaitCallbacks blocks until no callback is queued, being delivered or
// waiting to be retried, or until ctx ends.
func (s *Server) WaitCallbacks(ctx context.Context) error {
	return s.waitIdle(ctx, func() bool { return len(s.cbQueues) == 0 })
}

// waitIdle polls idle, under s.mu, until it holds or ctx ends.
func (s *Server) waitIdle(ctx context.Context, idle func() bool) error {
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		s.mu.Lock()
		done := idle()
		s.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// SetCallback changes the callback URL and method ("GET" or "POST") for
// status changes from now on; an empty rawURL turns callbacks off.
func (s *Server) SetCallback(rawURL, method string) {
	if rawURL != "" {
		method = checkCallback(rawURL, method)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cbURL, s.cbMethod = rawURL, method
}
