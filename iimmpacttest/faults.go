package iimmpacttest

import (
	"net"
	"net/http"
	"strconv"
	"time"
)

// FaultKind says how an injected fault breaks an exchange.
type FaultKind int

const (
	// FaultNone lets the request through untouched; useful as a gap in a
	// script, e.g. ScriptFaults(path, Fault{}, StatusFault(500)).
	FaultNone FaultKind = iota
	// FaultStatus answers with Fault.Status (e.g. 500, 502, 503, 504, 408,
	// 429) and a small JSON body {"message": "<status text>"}, plus a
	// Retry-After header in whole seconds when Fault.RetryAfter > 0.
	FaultStatus
	// FaultReset closes the TCP connection without any answer (with
	// SO_LINGER 0, so the client sees a reset). Note that Go's
	// http.Transport silently resends a GET, same headers included, when a
	// reused keep-alive connection dies this way: before processing the
	// resend goes through; after processing it carries a used nonce and
	// is refused 401 nonce_reused, as IIMMPACT would refuse it.
	FaultReset
	// FaultDelay holds the answer for Fault.Delay, or until the client
	// gives up or the server closes; the answer itself is the real one.
	FaultDelay
	// FaultTruncate answers 200 with only the first half of the JSON body.
	FaultTruncate
)

func (k FaultKind) String() string {
	switch k {
	case FaultNone:
		return "none"
	case FaultStatus:
		return "status"
	case FaultReset:
		return "reset"
	case FaultDelay:
		return "delay"
	case FaultTruncate:
		return "truncate"
	}
	return "FaultKind(" + strconv.Itoa(int(k)) + ")"
}

// Fault is one injected failure. With After false it strikes before the
// request is authenticated or applied: nothing changes on the server. With
// After true the request is fully processed first (a topup is created and
// the wallet debited) and only then is the answer lost or replaced, which
// is how a client learns whether it retries safely with the same refid.
type Fault struct {
	Kind       FaultKind
	Status     int           // FaultStatus: the HTTP status to answer
	RetryAfter time.Duration // FaultStatus: sent as Retry-After seconds when > 0
	Delay      time.Duration // FaultDelay: how long to hold the answer
	After      bool          // strike after processing instead of before
}

// StatusFault answers with the given HTTP status instead of the real answer.
func StatusFault(status int) Fault { return Fault{Kind: FaultStatus, Status: status} }

// RateLimitFault answers 429 Too Many Requests with Retry-After.
func RateLimitFault(retryAfter time.Duration) Fault {
	return Fault{Kind: FaultStatus, Status: http.StatusTooManyRequests, RetryAfter: retryAfter}
}

// ResetFault drops the connection without an answer.
func ResetFault() Fault { return Fault{Kind: FaultReset} }

// DelayFault holds the answer for d.
func DelayFault(d time.Duration) Fault { return Fault{Kind: FaultDelay, Delay: d} }

// TruncateFault answers 200 with half of the body.
func TruncateFault() Fault { return Fault{Kind: FaultTruncate} }

// AfterProcessing returns a copy of f that strikes after the request has
// been applied.
func (f Fault) AfterProcessing() Fault { f.After = true; return f }

func (f Fault) validate() {
	switch f.Kind {
	case FaultNone, FaultReset, FaultTruncate:
	case FaultStatus:
		if f.Status < 100 || f.Status > 599 {
			panic("iimmpacttest: FaultStatus needs an HTTP status between 100 and 599")
		}
	case FaultDelay:
		if f.Delay <= 0 {
			panic("iimmpacttest: FaultDelay needs a positive Delay")
		}
	default:
		panic("iimmpacttest: unknown " + f.Kind.String())
	}
}

// faultPlan is the faults configured for one path: a script, consumed one
// fault per request, ahead of a random draw.
type faultPlan struct {
	script      []Fault
	probability float64
	choices     []Fault
}

// AnyPath, given as the path to InjectFaults or ScriptFaults, applies to
// every path that has no plan of its own.
const AnyPath = "*"

// InjectFaults makes each request to path (e.g. "/v2/topup", or AnyPath)
// fail with the given probability, with a fault drawn uniformly from faults
// by the server's seeded source (see WithSeed). It replaces any earlier
// probability for path; probability 0 or no faults turns it off.
func (s *Server) InjectFaults(path string, probability float64, faults ...Fault) {
	if probability < 0 || probability > 1 {
		panic("iimmpacttest: fault probability must be within [0, 1]")
	}
	for _, f := range faults {
		f.validate()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.planLocked(path)
	p.probability, p.choices = probability, append([]Fault(nil), faults...)
}

// ScriptFaults queues faults for the next requests to path, one per
// request, in order; they take precedence over InjectFaults. Fault{} in
// the list lets that request through.
func (s *Server) ScriptFaults(path string, faults ...Fault) {
	for _, f := range faults {
		f.validate()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.planLocked(path)
	p.script = append(p.script, faults...)
}

// ClearFaults removes every scripted and probabilistic fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[string]*faultPlan{}
}

func (s *Server) planLocked(path string) *faultPlan {
	p := s.faults[path]
	if p == nil {
		p = &faultPlan{}
		s.faults[path] = p
	}
	return p
}

// nextFault counts the request and decides its fault, if any.
func (s *Server) nextFault(path string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[path]++
	p := s.faults[path]
	if p == nil {
		p = s.faults[AnyPath]
	}
	if p == nil {
		return Fault{}, false
	}
	if len(p.script) > 0 {
		f := p.script[0]
		p.script = p.script[1:]
		return f, f.Kind != FaultNone
	}
	if len(p.choices) > 0 && p.probability > 0 && s.rng.Float64() < p.probability {
		f := p.choices[s.rng.IntN(len(p.choices))]
		return f, f.Kind != FaultNone
	}
	return Fault{}, false
}

// writeFault writes a non-delay fault. processed is the answer when the
// fault strikes after processing, the zero response before.
func (s *Server) writeFault(w http.ResponseWriter, f Fault, processed response) {
	switch f.Kind {
	case FaultStatus:
		resp := jsonResponse(f.Status, map[string]string{"message": http.StatusText(f.Status)})
		if f.RetryAfter > 0 {
			secs := int64((f.RetryAfter + time.Second - 1) / time.Second)
			resp.header = http.Header{"Retry-After": {strconv.FormatInt(secs, 10)}}
		}
		writeResponse(w, resp)
	case FaultTruncate:
		body := processed.body
		if body == nil {
			body = []byte(`{"data":{"statusCode":1,"status":"Processing","remarks":"Transaction is being processed"}}`)
		}
		writeResponse(w, response{status: http.StatusOK, body: body[:len(body)/2]})
	case FaultReset:
		resetConnection(w)
	}
}

// resetConnection takes the connection from net/http and closes it with
// an RST, so the client gets no status line at all.
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // not hijackable (HTTP/2): abort the stream instead
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}
