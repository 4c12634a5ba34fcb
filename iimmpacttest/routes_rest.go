package iimmpacttest

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// The rest of the v2 API, beyond the walkthrough's five endpoints. Paths
// that take several methods dispatch in their handler (byMethod).
func init() {
	for path, rt := range map[string]route{
		"/v2/subproducts":                     {http.MethodGet, (*Server).handleSubproducts},
		"/v2/options":                         {http.MethodGet, (*Server).handleOptions},
		"/v2/catalog":                         {http.MethodGet, (*Server).handleCatalog},
		"/v2/bill-presentment":                {http.MethodGet, (*Server).handleBillPresentment},
		"/v2/balance-statement":               {http.MethodGet, (*Server).handleBalanceStatement},
		"/v2/callback-url":                    {"", (*Server).handleCallbackURL},
		"/v2/low-balance-threshold":           {"", (*Server).handleLowBalance},
		"/v2/transactions/void":               {http.MethodPost, (*Server).handleVoid},
		"/v2/transactions/check":              {http.MethodPost, (*Server).handleCheck},
		"/v2/reseller/catalog/webhook":        {"", (*Server).handleCatalogWebhook},
		"/v2/reseller/catalog/webhook/rotate": {http.MethodPost, (*Server).handleCatalogWebhookRotate},
	} {
		routes[path] = rt
	}
}

// restState is what the endpoints of this file's routes remember. Its zero
// value is ready; it is guarded by Server.mu.
type restState struct {
	cbUpdated  time.Time
	lowBalance money
	lowUpdated time.Time
	webhook    *catalogWebhook
	cases      map[string]bool // "void:<trxid>" / "check:<trxid>" already opened
}

// byMethod answers with the handler for the request's method, or 405.
func (s *Server) byMethod(req *request, handlers map[string]func(*Server, *request) response) response {
	if h, ok := handlers[req.http.Method]; ok {
		return h(s, req)
	}
	allowed := make([]string, 0, len(handlers))
	for m := range handlers {
		allowed = append(allowed, m)
	}
	slices.Sort(allowed)
	resp := errorResponse(http.StatusMethodNotAllowed, "method_not_allowed", req.http.Method+" is not allowed on "+req.http.URL.Path)
	resp.header = http.Header{"Allow": {strings.Join(allowed, ", ")}}
	return resp
}

// atMetadata is the "@metadata" envelope of the settings endpoints.
type atMetadata struct {
	Data     any      `json:"data"`
	Metadata metadata `json:"@metadata"`
}

func stamp(t time.Time, layout string) metadata {
	return metadata{StatusCode: http.StatusOK, LastUpdated: t.In(myt).Format(layout)}
}
