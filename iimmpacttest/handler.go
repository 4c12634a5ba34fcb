package iimmpacttest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

const maxBodyBytes = 1 << 20

// request is what an endpoint handler sees: the parsed HTTP request, the
// exact body bytes that were signed, and the fake's clock reading.
type request struct {
	http *http.Request
	body []byte
	now  time.Time
}

// response is what an endpoint handler returns; ServeHTTP writes it, or an
// injected fault replaces it after the fact.
type response struct {
	status int
	body   []byte
	header http.Header
}

type route struct {
	method  string // "" when the handler dispatches on the method itself
	handler func(*Server, *request) response
}

// routes holds the core endpoints; routes_rest.go adds the rest of the v2 API.
var routes = map[string]route{
	"/v2/balance":       {http.MethodGet, (*Server).handleBalance},
	"/v2/product-list":  {http.MethodGet, (*Server).handleProductList},
	"/v2/networkstatus": {http.MethodGet, (*Server).handleNetworkStatus},
	"/v2/topup":         {http.MethodPost, (*Server).handleTopup},
	"/v2/transactions":  {http.MethodGet, (*Server).handleTransactions},
}

// ServeHTTP implements http.Handler: count, maybe inject a fault, route,
// authenticate, handle, maybe replace the answer with a fault, write.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The Date header follows the fake's clock (WithServerClock), so a client that
	// estimates clock skew from it sees the time the fake judges it by.
	w.Header().Set("Date", s.now().UTC().Format(http.TimeFormat))
	fault, hasFault := s.nextFault(r.URL.Path)
	if hasFault && !fault.After {
		if fault.Kind != FaultDelay {
			s.log.Debug("iimmpacttest: fault before processing", "path", r.URL.Path, "fault", fault.Kind.String())
			s.writeFault(w, fault, response{})
			return
		}
		if !s.sleep(r.Context(), fault.Delay) {
			return // the caller gave up; nothing was applied
		}
	}
	resp := s.process(r)
	s.log.Debug("iimmpacttest: request", "method", r.Method, "path", r.URL.Path, "status", resp.status)
	if hasFault && fault.After {
		s.log.Debug("iimmpacttest: fault after processing", "path", r.URL.Path, "fault", fault.Kind.String())
		if fault.Kind == FaultDelay {
			if !s.sleep(r.Context(), fault.Delay) {
				return
			}
		} else {
			s.writeFault(w, fault, resp)
			return
		}
	}
	writeResponse(w, resp)
}

func (s *Server) process(r *http.Request) response {
	if resp, banned := s.banCheck(remoteIP(r), s.now()); banned {
		return resp
	}
	rt, ok := routes[r.URL.Path]
	if !ok {
		return errorResponse(http.StatusNotFound, "not_found", "No route for "+r.URL.Path)
	}
	if rt.method != "" && r.Method != rt.method {
		resp := errorResponse(http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" is not allowed on "+r.URL.Path)
		resp.header = http.Header{"Allow": {rt.method}}
		return resp
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return errorResponse(http.StatusRequestEntityTooLarge, "body_too_large", "Request body exceeds 1 MiB")
		}
		return errorResponse(http.StatusBadRequest, "unreadable_body", "Could not read the request body")
	}
	req := &request{http: r, body: body, now: s.now()}
	if fail := s.authenticate(r, body, req.now); fail != nil {
		s.log.Debug("iimmpacttest: authentication failed", "path", r.URL.Path, "error", fail.code)
		return errorResponse(http.StatusUnauthorized, fail.code, fail.message)
	}
	if resp, limited := s.catalogLimit(r.URL.Path, req.now); limited {
		return resp
	}
	return rt.handler(s, req)
}

// errorResponse is the {"error","message"} body IIMMPACT documents for 401,
// which the fake also uses for its other non-topup errors.
func errorResponse(status int, code, message string) response {
	return jsonResponse(status, struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}{code, message})
}

func jsonResponse(status int, v any) response {
	return response{status: status, body: marshal(v)}
}

// marshal encodes v compactly without HTML escaping (IIMMPACT's bodies
// carry URLs with '&' verbatim).
func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic("iimmpacttest: marshal: " + err.Error()) // only the fake's own types get here
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func writeResponse(w http.ResponseWriter, resp response) {
	for k, v := range resp.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(resp.body)))
	w.WriteHeader(resp.status)
	_, _ = w.Write(resp.body)
}

// remoteIP is the caller's address as /v2/transactions reports it in "sender".
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
