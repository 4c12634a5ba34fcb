package iimmpacttest

import (
	"net/http"
	"time"
)

// ValidationForm chooses the body of /v2/topup's HTTP 400 validation
// errors: invalid amount, missing or malformed account number, and (the
// fake's inference) missing mandatory extras. IIMMPACT announced that these
// changed form on 23 March 2026 (announcement.iimmpact.com, "Breaking
// Change Notice"). Other 400s (Invalid_Denomination, Insufficient_Balance,
// Invalid_Product, …) always had the standard data form and keep it.
type ValidationForm int

const (
	// ValidationByDate (the default) answers in the Laravel form while the
	// fake's clock (WithServerClock) is before 23 March 2026 00:00 GMT+8, and in
	// the standard form from then on.
	ValidationByDate ValidationForm = iota
	// ValidationLaravel answers {"message":"The given data was invalid.",
	// "errors":{"amount":["The amount must be an integer."]}}: no data, no
	// statusCode. Every failed field is listed, each with its messages.
	ValidationLaravel
	// ValidationStandard answers the standard payment body: HTTP 400 with a
	// full data object, statusCode 58, status "Failed", cost 0 and the first
	// message in remarks.
	ValidationStandard
)

// standardValidationSince is when IIMMPACT's announced change took
// effect: 23 March 2026. The notice gives no time of day; midnight in
// Malaysia is the fake's choice.
var standardValidationSince = time.Date(2026, 3, 23, 0, 0, 0, 0, myt)

// WithValidationErrors fixes the form of validation errors instead of
// deciding it by the fake's clock.
func WithValidationErrors(f ValidationForm) ServerOption {
	if f < ValidationByDate || f > ValidationStandard {
		panic("iimmpacttest: unknown ValidationForm")
	}
	return func(c *config) { c.validationForm = f }
}

// codeValidation is the statusCode of a validation error in the standard
// form, as the announcement shows it (58, documented as "invalid
// denomination").
const codeValidation = 58

// fieldError is one failed field and its message, in Laravel's wording.
type fieldError struct{ field, message string }

// validation collects field errors in the order they were found.
type validation struct{ errs []fieldError }

func (v *validation) add(field, message string) {
	v.errs = append(v.errs, fieldError{field, message})
}

func (v *validation) rejection() *rejection {
	if len(v.errs) == 0 {
		return nil
	}
	return &rejection{fields: v.errs}
}

// rejection is a 400 that creates no transaction: either a data-form
// answer with code and remarks, or validation errors whose form depends on
// the date (fields non-empty).
type rejection struct {
	code    int
	remarks string
	fields  []fieldError
}

func dataReject(code int, remarks string) *rejection { return &rejection{code: code, remarks: remarks} }

// rejectData is the short data object of a 400 from /v2/topup (seed Step 4,
// "Validation Error"): no transaction was created and the refid is free.
type rejectData struct {
	StatusCode int    `json:"statusCode"`
	Status     string `json:"status"`
	Account    string `json:"account"`
	Product    string `json:"product"`
	Amount     money  `json:"amount"`
	Cost       money  `json:"cost"`
	Balance    money  `json:"balance"`
	Remarks    string `json:"remarks"`
	RefID      string `json:"refid"`
	Timestamp  string `json:"timestamp"`
}

// rejectLocked writes rej in the form it calls for. The caller holds s.mu.
func (s *Server) rejectLocked(req *request, in topupIn, rej *rejection) response {
	ts := req.now.In(myt).Format(layoutTopup)
	if len(rej.fields) == 0 {
		return jsonResponse(http.StatusBadRequest, map[string]rejectData{"data": {
			StatusCode: rej.code, Status: "Failed", Account: in.Account, Product: in.Product,
			Amount: in.amount, Balance: s.balance, Remarks: rej.remarks, RefID: in.RefID, Timestamp: ts,
		}})
	}
	form := s.cfg.validationForm
	if form == ValidationByDate {
		form = ValidationStandard
		if req.now.Before(standardValidationSince) {
			form = ValidationLaravel
		}
	}
	if form == ValidationLaravel {
		errs := map[string][]string{}
		for _, f := range rej.fields {
			errs[f.field] = append(errs[f.field], f.message)
		}
		return jsonResponse(http.StatusBadRequest, struct {
			Message string              `json:"message"`
			Errors  map[string][]string `json:"errors"`
		}{"The given data was invalid.", errs})
	}
	d := topupData{StatusCode: codeValidation, Status: "Failed", Account: in.Account, Product: in.Product,
		Amount: in.amount, Balance: s.balance, Remarks: rej.fields[0].message, RefID: in.RefID, Timestamp: ts}
	if p := s.products[in.Product]; p != nil {
		d.ProductName = p.listing.ProductName
	}
	return jsonResponse(http.StatusBadRequest, map[string]topupData{"data": d})
}
