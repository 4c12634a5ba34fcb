package iimmpact

import (
	"net/http"
	"strings"
	"time"
)

// observedCallback is one callback request under observation; nil when the
// handler has no Observer.
type observedCallback struct {
	o     Observer
	start CallbackStart
}

// observe reports CallbackStart and returns r with the observer's context.
func (h *CallbackHandler) observe(r *http.Request) (*http.Request, *observedCallback) {
	if h == nil || h.cfg.Observer == nil {
		return r, nil
	}
	oc := &observedCallback{o: h.cfg.Observer, start: CallbackStart{Method: r.Method, Start: time.Now()}}
	ctx := oc.o.CallbackStart(r.Context(), oc.start)
	if ctx != r.Context() {
		r = r.WithContext(ctx)
	}
	return r, oc
}

// answered reports CallbackEnd for the verdict v.
func (oc *observedCallback) answered(r *http.Request, v verdict) {
	if oc == nil {
		return
	}
	e := CallbackEnd{CallbackStart: oc.start, HTTPStatus: v.code, Result: callbackResult(v),
		Reason: v.reason, Duration: time.Since(oc.start.Start)}
	if v.cb != nil {
		e.RefID, e.Status = v.cb.RefID, v.cb.StatusCode
	}
	oc.o.CallbackEnd(r.Context(), e)
}

// callbackResult sorts a verdict by its answer; the reasons that share a
// 200 are told apart by their fixed text.
func callbackResult(v verdict) CallbackResult {
	switch {
	case v.code == http.StatusOK && strings.HasPrefix(v.reason, "duplicate"):
		return CallbackDuplicate
	case v.code == http.StatusOK && strings.HasPrefix(v.reason, "stale"):
		return CallbackStale
	case v.code == http.StatusOK:
		return CallbackHandled
	case v.code == http.StatusForbidden:
		return CallbackForbidden
	case v.code == http.StatusServiceUnavailable:
		return CallbackRetry
	case v.code >= 500:
		return CallbackFailed
	}
	return CallbackRefused
}
