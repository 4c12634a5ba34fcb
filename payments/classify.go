package payments

import (
	"errors"
	"net/http"

	"github.com/iimmpact-go/iimmpact"
)

// statusEvent is a true answer for the refid.
func statusEvent(tx *iimmpact.Transaction, src Source) event {
	ev := event{kind: evStatus, tx: tx, source: src}
	if !tx.StatusCode.IsKnown() {
		ev.reason = reasonUndocumented(tx.StatusCode)
	}
	return ev
}

// classify is the one place that reads what Client.Topup returned and
// decides what it proves about the refid:
//
//   - a transaction: IIMMPACT's own status for this request;
//   - ErrOutcomeUnknown: nothing proven, unless the error carries the last
//     true answer seen during the call (Last), which is then used;
//   - a duplicate refid: the refid belongs to an earlier transaction whose
//     outcome this call does not know: unknown, never refused;
//   - 401, 403, 408, 429: this attempt was refused before it was applied,
//     which says nothing about earlier attempts: retried later;
//   - any other 4xx *APIError: no attempt of this call was applied. That
//     proves nothing was created under the refid only for its first send
//     (Pay's, right after Start created the record): rejected, nothing
//     charged. For any other send an earlier attempt may have been created
//     before IIMMPACT refused this one, so verdict (transition.go) makes it
//     unknown;
//   - anything else: unknown.
func classify(tx *iimmpact.Transaction, err error, src Source) event {
	if err == nil {
		return statusEvent(tx, src)
	}
	reason := err.Error() // the client's errors never carry a PIN or a secret
	var ou *iimmpact.OutcomeUnknownError
	if errors.As(err, &ou) && ou.Last != nil && ou.Last.StatusCode.IsKnown() {
		return statusEvent(ou.Last, src) // still pending, most likely: the last true answer
	}
	var ae *iimmpact.APIError
	switch {
	case errors.Is(err, iimmpact.ErrOutcomeUnknown), errors.Is(err, iimmpact.ErrDuplicateRefID):
	case !errors.As(err, &ae):
	case ae.HTTPStatus == http.StatusUnauthorized, ae.HTTPStatus == http.StatusForbidden,
		ae.HTTPStatus == http.StatusRequestTimeout, ae.HTTPStatus == http.StatusTooManyRequests:
		return event{kind: evRefused, reason: reason, source: src}
	case ae.HTTPStatus >= 400 && ae.HTTPStatus < 500:
		return event{kind: evRejected, status: ae.StatusCode, reason: reason, source: src}
	}
	return event{kind: evUnknown, reason: reason, source: src}
}
