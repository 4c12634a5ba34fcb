package iimmpact

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The model-based proof of the verdict rule. A scripted server plays a
// random sequence of attempt results for one refid; it knows whether it
// ever processed the refid and what it last answered. Every verdict Topup
// and WaitTopup give is checked against it:
//   - "nothing created" (a bare error) only when nothing was processed;
//   - a transaction only as the server last answered it for this request,
//     so never "failed" unless that answer said so;
//   - ErrOutcomeUnknown otherwise, and then only when some attempt may have
//     been processed (a call that was refused every time must say so).
//
// The seed is random per run (IIMMPACT_MODEL_SEED fixes it) and printed
// with every failure, with the sequence that failed.

type stepKind int

const (
	stepOK        stepKind = iota // 2xx with the current status (pending or final)
	stepMismatch                  // 2xx for another refid, product, account or amount
	stepMalformed                 // 2xx unreadable: truncated, or no usable statusCode
	step5xx
	step408
	stepReset
	stepTimeout
	step3xx        // a redirect: not an answer about the refid
	stepLaravel400 // validation refusal, Laravel's form
	stepCode58     // validation refusal, data.statusCode 58 form
	stepDup400     // 400 statusCode 54 Duplicate_RefID
	step401
	step403
	step429      // with Retry-After: 0
	step429Bare  // without Retry-After
	step429Long  // Retry-After longer than anyone waits
	step429Huge  // Retry-After too large to represent
	stepKinds    // count
	firstRefusal = stepLaravel400
)

var stepNames = [...]string{"ok", "mismatch", "malformed", "5xx", "408", "reset", "timeout", "3xx", "laravel400", "code58",
	"dup400", "401", "403", "429", "429-bare", "429-long", "429-huge"}

type step struct {
	kind  stepKind
	after bool // a fault that strikes after the request was processed
	v     int  // which variant of a malformed or mismatched answer
}

func (s step) String() string {
	n := stepNames[s.kind]
	if s.after {
		n += "+after"
	}
	return n
}

// refusal: the server refused the attempt without processing it.
func (s step) refusal() bool { return s.kind >= firstRefusal }

// modelServer answers one refid's attempts from a script; past the script
// it answers stepOK.
type modelServer struct {
	req        TopupRequest
	script     []step
	settle     int        // polls after creation before the status is final
	final      StatusCode // 20, 48 or 54
	mu         sync.Mutex
	next       int
	created    bool
	polls      int
	answered   *StatusCode // the last status answered in a matching 2xx
	anyProcess bool        // some attempt may have been processed (created or not)
}

func (m *modelServer) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s := step{kind: stepOK}
	if m.next < len(m.script) {
		s = m.script[m.next]
	}
	m.next++
	if !s.refusal() && (s.after || s.kind == stepOK || s.kind == stepMismatch || s.kind == stepMalformed) {
		m.process()
	} else if !s.refusal() {
		m.anyProcess = true // the client cannot know it was not
	}
	if s.kind <= stepMalformed {
		return m.answer(s), nil
	}
	return m.fault(s)
}

// answer is a 2xx: the status, one for another request, or an unreadable one.
func (m *modelServer) answer(s step) *http.Response {
	switch s.kind {
	case stepMismatch:
		other := m.req
		switch s.v % 4 {
		case 0:
			other.RefID += "x"
		case 1:
			other.Product = "M"
		case 2:
			other.Account = "0199999999"
		default:
			other.Amount = other.Amount.Add(MustParseAmount("0.01"))
		}
		return m.resp(200, m.txBody(m.status(), other))
	case stepMalformed:
		body := m.txBody(m.status(), m.req)
		switch s.v % 4 {
		case 0:
			body = body[:len(body)/2]
		case 1:
			body = bytes.Replace(body, []byte(`"statusCode":`+strconv.Itoa(int(m.status()))), []byte(`"statusCode":""`), 1)
		case 2:
			body = bytes.Replace(body, []byte(`"statusCode":`+strconv.Itoa(int(m.status()))), []byte(`"statusCode":null`), 1)
		default:
			body = bytes.Replace(body, []byte(`"statusCode":`+strconv.Itoa(int(m.status()))+`,`), nil, 1)
		}
		return m.resp(200, body)
	}
	code := m.status()
	m.answered = &code
	return m.resp(200, m.txBody(code, m.req))
}

// fault is every answer that is not a 2xx, or no answer at all.
func (m *modelServer) fault(s step) (*http.Response, error) {
	switch s.kind {
	case step5xx:
		return m.resp(500+[]int{0, 2, 3, 4}[s.v%4], []byte(`{"message":"Server Error"}`)), nil
	case step408:
		return m.resp(408, []byte(`{"message":"Request Timeout"}`)), nil
	case stepReset:
		return nil, fmt.Errorf("read tcp 127.0.0.1:1: %w", syscall.ECONNRESET)
	case stepTimeout:
		return nil, fmt.Errorf("read tcp 127.0.0.1:1: %w", os.ErrDeadlineExceeded)
	case stepLaravel400:
		return m.resp(400, []byte(`{"message":"The given data was invalid.","errors":{"amount":["The amount must be an integer."]}}`)), nil
	case stepCode58:
		return m.resp(400, []byte(`{"data":{"statusCode":58,"status":"Failed","remarks":"The amount must be an integer.","refid":"`+m.req.RefID+`"}}`)), nil
	case stepDup400:
		return m.resp(400, []byte(`{"data":{"statusCode":54,"status":"Failed","remarks":"Duplicate_RefID","refid":"`+m.req.RefID+`"}}`)), nil
	case step401:
		return m.resp(401, []byte(`{"error":"invalid_signature","message":"Signature mismatch"}`)), nil
	case step403:
		return m.resp(403, []byte(`{"message":"Forbidden"}`)), nil
	case step3xx:
		resp := m.resp(302, nil)
		resp.Header.Set("Location", "https://elsewhere.invalid/v2/topup")
		return resp, nil
	default: // the 429s
		resp := m.resp(429, []byte(`{"message":"Too Many Attempts."}`))
		resp.Header.Set("Retry-After", map[stepKind]string{step429: "0", step429Long: "3600", step429Huge: "99999999999999999999"}[s.kind])
		if s.kind == step429Bare {
			resp.Header.Del("Retry-After")
		}
		return resp, nil
	}
}

// process applies the request: it creates the transaction or, if it
// exists, counts a poll.
func (m *modelServer) process() {
	m.anyProcess = true
	if !m.created {
		m.created = true
		return
	}
	m.polls++
}

func (m *modelServer) status() StatusCode {
	if m.polls < m.settle {
		return StatusProcessing
	}
	return m.final
}

func (m *modelServer) txBody(code StatusCode, r TopupRequest) []byte {
	word := map[StatusCode]string{StatusProcessing: "Processing", StatusSuccessful: "Succesful"}[code]
	if word == "" {
		word = "Failed"
	}
	return fmt.Appendf(nil, `{"data":{"statusCode":%d,"status":%q,"account":%q,"product":%q,"amount":%s,"refid":%q,"remarks":"","timestamp":"2025-01-15 10:23:48"}}`,
		code, word, r.Account, r.Product, r.Amount, r.RefID)
}

func (m *modelServer) resp(status int, body []byte) *http.Response {
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body))}
}

func modelSeed(t *testing.T) uint64 {
	if s := os.Getenv("IIMMPACT_MODEL_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("IIMMPACT_MODEL_SEED: %v", err)
		}
		return v
	}
	return uint64(time.Now().UnixNano())
}

func newModel(rng *rand.Rand, i int) *modelServer {
	m := &modelServer{
		req:    TopupRequest{RefID: "model-" + strconv.Itoa(i), Product: "D", Account: "0123456789", Amount: MustParseAmount("30")},
		settle: rng.IntN(3),
		final:  []StatusCode{StatusSuccessful, StatusRejectedByProvider, StatusDuplicateOrLimit}[rng.IntN(3)],
	}
	for range rng.IntN(9) {
		s := step{kind: stepKind(rng.IntN(int(stepKinds))), v: rng.IntN(4)}
		s.after = !s.refusal() && s.kind >= step5xx && rng.IntN(2) == 0
		m.script = append(m.script, s)
	}
	return m
}

func modelClient(t *testing.T, m *modelServer, attempts int) *Client {
	c, err := New(testKey, testSecret, WithBaseURL("http://127.0.0.1:1"), WithHTTPClient(&http.Client{Transport: m}),
		WithRateLimit(0, 0), WithRetryPolicy(RetryPolicy{MaxAttempts: attempts, BaseDelay: time.Nanosecond,
			MaxDelay: time.Nanosecond, MaxRetryAfter: time.Second, Budget: 1 << 30}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// judge checks one verdict against what the server knows; "" means true.
func (m *modelServer) judge(tx *Transaction, err error, wait bool) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case err == nil:
		if m.answered == nil || tx == nil || tx.StatusCode != *m.answered || tx.RefID != m.req.RefID {
			return fmt.Sprintf("returned %v, but the last matching answer was %v", tx, m.answered)
		}
		if wait && !tx.StatusCode.IsFinal() {
			return "WaitTopup returned a pending status with a nil error"
		}
	case errors.Is(err, ErrOutcomeUnknown):
		var ou *OutcomeUnknownError
		if !errors.As(err, &ou) || ou.RefID != m.req.RefID {
			return "unknown without the refid"
		}
		if !m.anyProcess && !errors.Is(err, ErrDuplicateRefID) {
			return "unknown, but every attempt was refused: nothing was created"
		}
		if wait && m.answered != nil && (ou.Last == nil || ou.Last.StatusCode != *m.answered) {
			return fmt.Sprintf("Last is %v, the last answer seen was %v", ou.Last, *m.answered)
		}
	default:
		var ae *APIError
		if !errors.As(err, &ae) {
			return "a bare error that is not an *APIError"
		}
		if m.anyProcess {
			return "told nothing was created, but an attempt may have been processed"
		}
		if ae.HTTPStatus == 400 && len(ae.Fields) == 0 {
			return "a validation refusal without its field errors"
		}
	}
	return ""
}

func TestModelVerdicts(t *testing.T) {
	t.Parallel()
	seed := modelSeed(t)
	const n = 2500
	for _, wait := range []bool{false, true} {
		for i := range n {
			rng := rand.New(rand.NewPCG(seed, uint64(i)))
			m := newModel(rng, i)
			c := modelClient(t, m, 1+rng.IntN(4))
			ctx := context.Background()
			var tx *Transaction
			var err error
			if wait {
				tx, err = c.WaitTopup(ctx, m.req, WithPollInterval(time.Millisecond, time.Millisecond), WithWaitTimeout(time.Minute))
			} else {
				tx, err = c.Topup(ctx, m.req)
			}
			if msg := m.judge(tx, err, wait); msg != "" {
				t.Fatalf("seed %d (IIMMPACT_MODEL_SEED=%d), sequence %d, WaitTopup=%v, script %v, attempts made %d, final %d after %d polls:\n%s\nverdict: %v",
					seed, seed, i, wait, m.script, m.next, m.final, m.settle, msg, errOrTx(tx, err))
			}
		}
	}
}

func errOrTx(tx *Transaction, err error) string {
	if err != nil {
		return err.Error()
	}
	return tx.String()
}
