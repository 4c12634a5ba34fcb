package payments

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/iimmpact-go/iimmpact"
)

// The stored shape of a Payment. It is versioned by field names only, so
// add fields, never rename them.
type paymentWire struct {
	Request     requestWire           `json:"request"`
	State       string                `json:"state"`
	Status      int                   `json:"status"`
	Tx          *iimmpact.Transaction `json:"tx,omitempty"`
	Reason      string                `json:"reason,omitempty"`
	Created     time.Time             `json:"created"`
	Updated     time.Time             `json:"updated"`
	Attempts    int                   `json:"attempts"`
	Next        time.Time             `json:"next"`
	History     []changeWire          `json:"history"`
	Effects     []effectWire          `json:"effects,omitempty"`
	EffectsDone int                   `json:"effects_done"`
	EffectLease time.Time             `json:"effect_lease"`
	EffectToken int64                 `json:"effect_token,omitempty"`
	Version     int64                 `json:"version"`
}

type requestWire struct {
	RefID   string           `json:"refid"`
	Product string           `json:"product"`
	Account string           `json:"account"`
	Amount  iimmpact.Amount  `json:"amount"`
	Remarks string           `json:"remarks,omitempty"`
	Extras  *iimmpact.Extras `json:"extras,omitempty"`
}

type changeWire struct {
	At     time.Time `json:"at"`
	From   string    `json:"from"`
	To     string    `json:"to"`
	Status int       `json:"status"`
	Source Source    `json:"source"`
}

type effectWire struct {
	Key    string    `json:"key"`
	State  string    `json:"state"`
	Status int       `json:"status"`
	At     time.Time `json:"at"`
}

// MarshalJSON writes the payment as stores keep it. The request's extras
// (an IC number, for some products) are in it: the store is as sensitive
// as the merchant's own order table.
func (p Payment) MarshalJSON() ([]byte, error) {
	r := p.Request
	w := paymentWire{
		Request: requestWire{RefID: r.RefID, Product: r.Product, Account: r.Account, Amount: r.Amount, Remarks: r.Remarks, Extras: r.Extras},
		State:   p.State.String(), Status: int(p.Status), Tx: p.Tx, Reason: p.Reason,
		Created: p.Created, Updated: p.Updated, Attempts: p.Attempts, Next: p.Next,
		EffectsDone: p.EffectsDone, EffectLease: p.EffectLease, EffectToken: p.EffectToken, Version: p.Version,
		History: make([]changeWire, len(p.History)),
	}
	for i, c := range p.History {
		w.History[i] = changeWire{At: c.At, From: c.From.String(), To: c.To.String(), Status: int(c.Status), Source: c.Source}
	}
	for _, e := range p.Effects {
		w.Effects = append(w.Effects, effectWire{Key: e.Key, State: e.State.String(), Status: int(e.Status), At: e.At})
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads what MarshalJSON wrote, refusing unknown states.
func (p *Payment) UnmarshalJSON(b []byte) error {
	var w paymentWire
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("payments: stored payment: %w", err)
	}
	st, err := state(w.State)
	if err != nil {
		return err
	}
	r := w.Request
	out := Payment{
		Request: iimmpact.TopupRequest{RefID: r.RefID, Product: r.Product, Account: r.Account, Amount: r.Amount, Remarks: r.Remarks, Extras: r.Extras},
		State:   st, Status: iimmpact.StatusCode(w.Status), Tx: w.Tx, Reason: w.Reason,
		Created: w.Created, Updated: w.Updated, Attempts: w.Attempts, Next: w.Next,
		EffectsDone: w.EffectsDone, EffectLease: w.EffectLease, EffectToken: w.EffectToken, Version: w.Version,
	}
	for _, c := range w.History {
		from, err1 := state(c.From)
		to, err2 := state(c.To)
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		out.History = append(out.History, Change{At: c.At, From: from, To: to, Status: iimmpact.StatusCode(c.Status), Source: c.Source})
	}
	for _, e := range w.Effects {
		s, err := state(e.State)
		if err != nil {
			return err
		}
		out.Effects = append(out.Effects, Effect{Key: e.Key, RefID: r.RefID, State: s, Status: iimmpact.StatusCode(e.Status), At: e.At})
	}
	if out.EffectsDone < 0 || out.EffectsDone > len(out.Effects) {
		return fmt.Errorf("payments: stored payment: %d of %d effects done", out.EffectsDone, len(out.Effects))
	}
	*p = out
	return nil
}

func state(name string) (State, error) {
	if s, ok := ParseState(name); ok {
		return s, nil
	}
	return 0, fmt.Errorf("payments: stored payment: unknown state %q", name)
}
