package iimmpact

import (
	"strconv"
	"strings"
)

// StatusCode is IIMMPACT's payment status code (data.statusCode, spec §6).
//
// Only the codes IIMMPACT documents are final. An undocumented code is
// neither pending nor final: treat it as "reconcile by hand", never as a
// failure, so that a transaction that later succeeds is never refunded.
type StatusCode int

// The documented status codes. Codes that share a meaning keep their own
// constant; the "Alt" ones are the second code the docs give that meaning.
const (
	StatusAccepted               StatusCode = 0  // accepted, will be processed: pending
	StatusProcessing             StatusCode = 1  // still processing: pending
	StatusSuccessful             StatusCode = 20 // "Succesful" (sic) in topup responses
	StatusInvalidAccount         StatusCode = 40 // invalid account or mobile number
	StatusAccountSuspended       StatusCode = 41 // your IIMMPACT account is suspended or unauthorised
	StatusInsufficientCredit     StatusCode = 43 // your IIMMPACT wallet is short
	StatusInvalidProduct         StatusCode = 44 // incorrect format or invalid product
	StatusOutOfStock             StatusCode = 45 // product out of stock
	StatusServiceUnavailable     StatusCode = 47 // service unavailable, try later with a new refid
	StatusRejectedByProvider     StatusCode = 48 // rejected by the provider
	StatusInvalidAccountAlt      StatusCode = 52 // invalid account (barred or terminated)
	StatusRefund                 StatusCode = 53 // voided or refunded on request
	StatusDuplicateOrLimit       StatusCode = 54 // duplicate, or daily account limit reached
	StatusTimeout                StatusCode = 55 // failed at the provider by timeout
	StatusBlacklisted            StatusCode = 56 // account blacklisted
	StatusNumberActivated        StatusCode = 57 // customer's mobile number activated
	StatusInvalidDenomination    StatusCode = 58 // invalid amount, account or denomination (validation)
	StatusInvalidDenominationAlt StatusCode = 61 // invalid denomination
)

var statusText = map[StatusCode]string{
	StatusAccepted:               "accepted",
	StatusProcessing:             "processing",
	StatusSuccessful:             "successful",
	StatusInvalidAccount:         "invalid account number",
	StatusAccountSuspended:       "merchant account suspended or unauthorised",
	StatusInsufficientCredit:     "insufficient wallet credit",
	StatusInvalidProduct:         "incorrect format or invalid product",
	StatusOutOfStock:             "product out of stock",
	StatusServiceUnavailable:     "service unavailable",
	StatusRejectedByProvider:     "rejected by provider",
	StatusInvalidAccountAlt:      "invalid account number (barred or terminated)",
	StatusRefund:                 "refunded",
	StatusDuplicateOrLimit:       "duplicate transaction or daily limit reached",
	StatusTimeout:                "failed by provider timeout",
	StatusBlacklisted:            "account blacklisted",
	StatusNumberActivated:        "mobile number activated",
	StatusInvalidDenomination:    "invalid amount, account or denomination",
	StatusInvalidDenominationAlt: "invalid denomination",
}

// IsKnown reports whether IIMMPACT documents c.
func (c StatusCode) IsKnown() bool { _, ok := statusText[c]; return ok }

// IsPending reports whether the transaction is still open (Accepted or
// Processing): ask again with the same refid; never treat it as failed.
func (c StatusCode) IsPending() bool { return c == StatusAccepted || c == StatusProcessing }

// IsFinal reports whether c is a documented final status.
func (c StatusCode) IsFinal() bool { return c.IsKnown() && !c.IsPending() }

// IsSuccess reports whether the transaction succeeded.
func (c StatusCode) IsSuccess() bool { return c == StatusSuccessful }

// IsFailure reports whether the transaction ended in a documented failure.
// A refund is not a failure; an unknown code is not a failure.
func (c StatusCode) IsFailure() bool {
	return c.IsFinal() && c != StatusSuccessful && c != StatusRefund
}

// Outcome is the coarse state of c.
func (c StatusCode) Outcome() Outcome {
	switch {
	case c.IsPending():
		return OutcomePending
	case c == StatusSuccessful:
		return OutcomeSuccessful
	case c == StatusRefund:
		return OutcomeRefunded
	case c.IsFailure():
		return OutcomeFailed
	}
	return OutcomeUnknown
}

// String returns the code and its meaning, e.g. "43 (insufficient wallet credit)".
func (c StatusCode) String() string {
	s := strconv.Itoa(int(c))
	if t, ok := statusText[c]; ok {
		return s + " (" + t + ")"
	}
	return s + " (undocumented)"
}

// Outcome is a status reduced to what a merchant acts on. It also normalises
// the status words IIMMPACT spells differently per endpoint.
type Outcome int

// The outcomes. The zero value is OutcomeUnknown, so a missing status is
// never mistaken for a result.
const (
	OutcomeUnknown    Outcome = iota // undocumented: reconcile by hand
	OutcomePending                   // Accepted or Processing: ask again later
	OutcomeSuccessful                // delivered; do not charge again
	OutcomeFailed                    // final failure; the refid is consumed
	OutcomeRefunded                  // voided after success
)

func (o Outcome) String() string {
	switch o {
	case OutcomePending:
		return "pending"
	case OutcomeSuccessful:
		return "successful"
	case OutcomeFailed:
		return "failed"
	case OutcomeRefunded:
		return "refunded"
	}
	return "unknown"
}

// ParseOutcome reads a status word in any of IIMMPACT's spellings:
// "Succesful" (topup, callbacks), "Successful" (history), "SUCCESSFUL"
// (history filters), and likewise Accepted, Processing, Pending, Failed,
// Refund. Anything else is OutcomeUnknown.
func ParseOutcome(word string) Outcome {
	switch strings.ToLower(strings.TrimSpace(word)) {
	case "succesful", "successful", "success":
		return OutcomeSuccessful
	case "accepted", "processing", "pending":
		return OutcomePending
	case "failed", "fail":
		return OutcomeFailed
	case "refund", "refunded":
		return OutcomeRefunded
	}
	return OutcomeUnknown
}
