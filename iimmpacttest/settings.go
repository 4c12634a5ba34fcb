package iimmpacttest

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

// lowBalanceEmail is where the demo account's alerts would go.
const lowBalanceEmail = "finance@demo-merchant.example.com"

// queryOnly refuses a body on the settings POSTs, whose parameters IIMMPACT
// takes from the query string.
func queryOnly(req *request) *response {
	if len(req.body) > 0 {
		r := errorResponse(http.StatusBadRequest, "unexpected_body", "Send the parameters in the query string, with no body")
		return &r
	}
	return nil
}

type callbackData struct {
	Status      string `json:"Status"`
	CallbackURL string `json:"CallbackUrl"`
	Method      string `json:"Method"`
}

// handleCallbackURL answers GET and POST /v2/callback-url. POST takes url
// and method from the query and changes where the fake's own transaction
// callbacks go, exactly like SetCallback.
func (s *Server) handleCallbackURL(req *request) response {
	return s.byMethod(req, map[string]func(*Server, *request) response{
		http.MethodGet:  (*Server).getCallbackURL,
		http.MethodPost: (*Server).setCallbackURL,
	})
}

// setAt is when a setting last changed: now, if it never has.
func setAt(updated, now time.Time) time.Time {
	if updated.IsZero() {
		return now
	}
	return updated
}

func (s *Server) getCallbackURL(req *request) response {
	s.mu.Lock()
	defer s.mu.Unlock()
	return jsonResponse(http.StatusOK, atMetadata{callbackData{"Success", s.cbURL, s.cbMethod}, stamp(setAt(s.rest.cbUpdated, req.now), layoutNetwork)})
}

func (s *Server) setCallbackURL(req *request) response {
	if bad := queryOnly(req); bad != nil {
		return *bad
	}
	q := req.http.URL.Query()
	raw, method := q.Get("url"), strings.ToUpper(q.Get("method"))
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errorResponse(http.StatusBadRequest, "invalid_url", "url must be an absolute http(s) URL")
	}
	if method != http.MethodGet && method != http.MethodPost {
		return errorResponse(http.StatusBadRequest, "invalid_method", "method must be GET or POST")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cbURL, s.cbMethod, s.rest.cbUpdated = raw, method, req.now
	return jsonResponse(http.StatusOK, atMetadata{callbackData{"Success", raw, method}, stamp(req.now, layoutNetwork)})
}

type lowBalanceData struct {
	Status           string `json:"Status"`
	Email            string `json:"Email"`
	BalanceThreshold money  `json:"BalanceThreshold"`
	Note             string `json:"Note"`
}

func lowBalanceOf(m money) lowBalanceData {
	return lowBalanceData{"Success", lowBalanceEmail, m, "An alert is sent when the balance falls below RM " + m.String() + "."}
}

// handleLowBalance answers GET and POST /v2/low-balance-threshold. POST
// takes amount (RM, at least 1) from the query; as IIMMPACT documents, its
// last_updated is yyyy-MM-dd HH:mm:ss while the GET's is dd-MM-yyyy.
func (s *Server) handleLowBalance(req *request) response {
	return s.byMethod(req, map[string]func(*Server, *request) response{
		http.MethodGet:  (*Server).getLowBalance,
		http.MethodPost: (*Server).setLowBalance,
	})
}

func (s *Server) getLowBalance(req *request) response {
	s.mu.Lock()
	defer s.mu.Unlock()
	return jsonResponse(http.StatusOK, atMetadata{lowBalanceOf(s.rest.lowBalance), stamp(setAt(s.rest.lowUpdated, req.now), layoutNetwork)})
}

func (s *Server) setLowBalance(req *request) response {
	if bad := queryOnly(req); bad != nil {
		return *bad
	}
	m, err := parseMoney(req.http.URL.Query().Get("amount"))
	if err != nil || m < moneyScale {
		return errorResponse(http.StatusBadRequest, "invalid_amount", "amount must be a number of ringgit, at least 1")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rest.lowBalance, s.rest.lowUpdated = m, req.now
	return jsonResponse(http.StatusOK, atMetadata{lowBalanceOf(m), stamp(req.now, layoutTopup)})
}
