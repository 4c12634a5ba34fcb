package iimmpactotel_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/iimmpacttest"
	iimmpactotel "github.com/iimmpact-go/iimmpact/otel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// TestRetriedTopupTrace: a topup answered 502 once and then 200 is one call
// span with two client attempt spans under it, carrying OpenTelemetry's
// HTTP client attributes, and each request carried its own attempt's
// traceparent (the fake verified each signature, so the header does not
// disturb it).
func TestRetriedTopupTrace(t *testing.T) {
	h := newHarness(t)
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	srv.ScriptFaults("/v2/topup", iimmpacttest.StatusFault(502))
	tap := &headerTap{base: http.DefaultTransport}
	c := srv.Client(h.obs.Option(), fastRetries(), iimmpact.WithHTTPClient(&http.Client{Transport: tap}))
	tx, err := c.Topup(context.Background(), digi("otel-1"))
	require.NoError(t, err)
	require.True(t, tx.StatusCode.IsSuccess())

	calls := h.ended("iimmpact POST /v2/topup")
	require.Len(t, calls, 1)
	call := calls[0]
	ca := attrs(call)
	assert.Equal(t, "success", ca["iimmpact.verdict"].AsString())
	assert.Equal(t, int64(2), ca["iimmpact.attempts"].AsInt64())
	assert.Equal(t, "otel-1", ca["iimmpact.refid"].AsString())
	assert.Equal(t, codes.Unset, call.Status().Code)

	tries := h.ended("POST /v2/topup")
	require.Len(t, tries, 2)
	host, port := hostPort(t, srv.URL)
	for i, s := range tries {
		a := attrs(s)
		assert.Equal(t, trace.SpanKindClient, s.SpanKind())
		assert.Equal(t, call.SpanContext().SpanID(), s.Parent().SpanID(), "attempt %d is a child of the call", i+1)
		assert.Equal(t, call.SpanContext().TraceID(), s.SpanContext().TraceID())
		assert.Equal(t, "POST", a["http.request.method"].AsString())
		assert.Equal(t, srv.URL+"/v2/topup", a["url.full"].AsString())
		assert.Equal(t, "/v2/topup", a["url.template"].AsString())
		assert.Equal(t, host, a["server.address"].AsString())
		assert.Equal(t, port, a["server.port"].AsInt64())
		assert.Equal(t, int64(i+1), a["iimmpact.attempt"].AsInt64())
		assert.Equal(t, fmt.Sprintf("00-%s-%s-01", s.SpanContext().TraceID(), s.SpanContext().SpanID()), tap.seen[i])
		assert.True(t, tap.signed[i])
	}
	first, second := attrs(tries[0]), attrs(tries[1])
	assert.Equal(t, int64(502), first["http.response.status_code"].AsInt64())
	assert.Equal(t, "502", first["error.type"].AsString())
	assert.Equal(t, "retry", first["iimmpact.verdict"].AsString())
	assert.Equal(t, codes.Error, tries[0].Status().Code)
	assert.NotContains(t, first, attribute.Key("http.request.resend_count"))
	assert.Equal(t, int64(200), second["http.response.status_code"].AsInt64())
	assert.Equal(t, int64(1), second["http.request.resend_count"].AsInt64())
	assert.NotContains(t, second, attribute.Key("error.type"))
	assert.Equal(t, codes.Unset, tries[1].Status().Code)

	rm := h.collect(t)
	topup := attribute.String("url.template", "/v2/topup")
	assert.Equal(t, int64(1), sumWhere(t, rm, iimmpactotel.MetricRequestDuration, topup, attribute.Int("http.response.status_code", 502),
		attribute.String("server.address", host), attribute.Int64("server.port", port)))
	assert.Equal(t, int64(1), sumWhere(t, rm, iimmpactotel.MetricRequestDuration, topup, attribute.Int("http.response.status_code", 200)))
	assert.Equal(t, int64(1), sumWhere(t, rm, iimmpactotel.MetricRetries, topup, attribute.Int("http.response.status_code", 502)))
	assert.Equal(t, int64(1), sumWhere(t, rm, iimmpactotel.MetricCallDuration, topup, attribute.String("iimmpact.verdict", "success")))
	assertNoPersonalData(t, h, "0123456789", srv.APIKey, srv.HMACSecret)
}

func hostPort(t *testing.T, raw string) (string, int64) {
	t.Helper()
	hp := strings.TrimPrefix(raw, "http://")
	i := strings.LastIndexByte(hp, ':')
	var port int64
	_, err := fmt.Sscan(hp[i+1:], &port)
	require.NoError(t, err)
	return hp[:i], port
}

// assertNoPersonalData scans every span's name, attributes and events.
func assertNoPersonalData(t *testing.T, h *harness, secrets ...string) {
	t.Helper()
	for _, s := range h.spans.Ended() {
		text := fmt.Sprint(s.Name(), s.Attributes(), s.Events(), s.Status())
		for _, secret := range secrets {
			assert.NotContains(t, text, secret, "span %s", s.Name())
		}
	}
}

// TestUnknownOutcomeIsVisible: a topup whose every answer is lost after it
// was applied ends as outcome_unknown on its span and in the metrics, not
// as a failure.
func TestUnknownOutcomeIsVisible(t *testing.T) {
	h := newHarness(t)
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	lost := iimmpacttest.StatusFault(503).AfterProcessing()
	srv.ScriptFaults("/v2/topup", lost, lost, lost)
	c := srv.Client(h.obs.Option(), fastRetries())
	_, err := c.Topup(context.Background(), digi("otel-2"))
	require.ErrorIs(t, err, iimmpact.ErrOutcomeUnknown)

	calls := h.ended("iimmpact POST /v2/topup")
	require.Len(t, calls, 1)
	a := attrs(calls[0])
	assert.Equal(t, "outcome_unknown", a["iimmpact.verdict"].AsString())
	assert.Equal(t, codes.Error, calls[0].Status().Code)
	assert.Contains(t, calls[0].Status().Description, "outcome unknown")
	tries := h.ended("POST /v2/topup")
	require.Len(t, tries, 3)
	assert.Equal(t, "outcome_unknown", attrs(tries[2])["iimmpact.verdict"].AsString())

	rm := h.collect(t)
	assert.Equal(t, int64(1), sumWhere(t, rm, iimmpactotel.MetricOutcomesUnknown, attribute.String("url.template", "/v2/topup")))
	assert.Equal(t, int64(2), sumWhere(t, rm, iimmpactotel.MetricRetries))
	assert.Equal(t, int64(1), sumWhere(t, rm, iimmpactotel.MetricCallDuration, attribute.String("iimmpact.verdict", "outcome_unknown")))
}

// TestWaitTopupTrace: a wait is one span over its polls' call spans; one
// that runs out while the payment is pending is an unknown outcome.
func TestWaitTopupTrace(t *testing.T) {
	h := newHarness(t)
	srv := iimmpacttest.NewServer(iimmpacttest.WithSettleAfter(1000))
	defer srv.Close()
	c := srv.Client(h.obs.Option())
	_, err := c.WaitTopup(context.Background(), digi("otel-3"),
		iimmpact.WithPollInterval(time.Millisecond, 2*time.Millisecond), iimmpact.WithWaitTimeout(40*time.Millisecond))
	require.ErrorIs(t, err, iimmpact.ErrOutcomeUnknown)
	waits := h.ended("iimmpact WaitTopup")
	require.Len(t, waits, 1)
	assert.Equal(t, "outcome_unknown", attrs(waits[0])["iimmpact.verdict"].AsString())
	polls := h.ended("iimmpact POST /v2/topup")
	require.GreaterOrEqual(t, len(polls), 2)
	for _, p := range polls {
		assert.Equal(t, waits[0].SpanContext().SpanID(), p.Parent().SpanID())
	}
	rm := h.collect(t)
	assert.Equal(t, int64(1), sumWhere(t, rm, iimmpactotel.MetricOutcomesUnknown, attribute.String("iimmpact.call.kind", "wait")))
}

// TestCallbackRefusedByAllowlist: a callback from an address outside the
// allowlist is a server span with its 403 and result, and is counted.
func TestCallbackRefusedByAllowlist(t *testing.T) {
	h := newHarness(t)
	allow, err := iimmpact.NewIPAllowlist("127.0.0.1") // NewCallbackRequest comes from IIMMPACT's production address
	require.NoError(t, err)
	handler, err := iimmpact.NewCallbackHandler(iimmpact.CallbackConfig{Allowlist: allow, Observer: h.obs,
		Verify: func(context.Context, *iimmpact.Callback) error { return nil },
		Handle: func(context.Context, *iimmpact.Callback) error { return nil }})
	require.NoError(t, err)
	w := httptest.NewRecorder()
	handler.ServeHTTP(w, iimmpacttest.NewCallbackRequest(http.MethodPost, iimmpact.Transaction{RefID: "otel-4", StatusCode: 20, PIN: "9911-2233"}))
	require.Equal(t, http.StatusForbidden, w.Code)

	spans := h.ended("iimmpact callback")
	require.Len(t, spans, 1)
	a := attrs(spans[0])
	assert.Equal(t, trace.SpanKindServer, spans[0].SpanKind())
	assert.Equal(t, int64(403), a["http.response.status_code"].AsInt64())
	assert.Equal(t, "forbidden", a["iimmpact.callback.result"].AsString())
	assert.Equal(t, "source not allowlisted", a["iimmpact.callback.reason"].AsString())
	rm := h.collect(t)
	assert.Equal(t, int64(1), sumWhere(t, rm, iimmpactotel.MetricCallbacks,
		attribute.String("iimmpact.callback.result", "forbidden"), attribute.Int("http.response.status_code", 403)))
	assertNoPersonalData(t, h, "9911-2233")
}

// TestCallbackHandledSpanParentsRequery: with Requery, the re-query's call
// span is a child of the callback's span.
func TestCallbackHandledSpanParentsRequery(t *testing.T) {
	h := newHarness(t)
	srv := iimmpacttest.NewServer()
	defer srv.Close()
	c := srv.Client(h.obs.Option())
	req := digi("otel-5")
	tx, err := c.Topup(context.Background(), req)
	require.NoError(t, err)
	allow, err := iimmpact.NewIPAllowlist(iimmpact.ProductionCallbackIPs()...)
	require.NoError(t, err)
	handler, err := iimmpact.NewCallbackHandler(iimmpact.CallbackConfig{Allowlist: allow, Observer: h.obs, Requery: c,
		Lookup: func(context.Context, string) (iimmpact.TopupRequest, error) { return req, nil },
		Handle: func(context.Context, *iimmpact.Callback) error { return nil }})
	require.NoError(t, err)
	w := httptest.NewRecorder()
	handler.ServeHTTP(w, iimmpacttest.NewCallbackRequest(http.MethodPost, *tx))
	require.Equal(t, http.StatusOK, w.Code)

	cb := h.ended("iimmpact callback")
	require.Len(t, cb, 1)
	assert.Equal(t, "handled", attrs(cb[0])["iimmpact.callback.result"].AsString())
	assert.Equal(t, "otel-5", attrs(cb[0])["iimmpact.refid"].AsString())
	var requeries int
	for _, s := range h.spans.Ended() {
		if strings.HasPrefix(s.Name(), "iimmpact GET ") || strings.HasPrefix(s.Name(), "iimmpact POST ") {
			if s.Parent().SpanID() == cb[0].SpanContext().SpanID() {
				requeries++
			}
		}
	}
	assert.Equal(t, 1, requeries, "one re-query call under the callback span")
}
