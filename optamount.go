package iimmpact

// optAmount reads an amount that IIMMPACT may leave out: a missing key,
// null and "" all leave it nil. Fields documented as "string|null" (the
// sub-products' min and max, bill presentment's Balance) arrive as "" in
// practice often enough that treating "" as malformed would fail whole
// lists; any other non-amount is still an error.
type optAmount struct{ p *Amount }

// UnmarshalJSON implements json.Unmarshaler.
func (o *optAmount) UnmarshalJSON(b []byte) error {
	switch string(trimJSONSpace(b)) {
	case "null", `""`:
		o.p = nil
		return nil
	}
	var a Amount
	if err := a.UnmarshalJSON(b); err != nil {
		return err
	}
	o.p = &a
	return nil
}

// value is the amount, or zero when absent.
func (o optAmount) value() Amount {
	if o.p == nil {
		return Amount{}
	}
	return *o.p
}
