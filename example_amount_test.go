package iimmpact_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/iimmpact-go/iimmpact"
)

func ExampleParseAmount() {
	a, err := iimmpact.ParseAmount("30.0000")
	if err != nil {
		panic(err)
	}
	fmt.Println(a)

	_, err = iimmpact.ParseAmount("1.123456789")
	fmt.Println(errors.Is(err, iimmpact.ErrInvalidAmount))
	fmt.Println(err)

	// IIMMPACT sends amounts both as numbers and as strings.
	var resp struct {
		Balance iimmpact.Amount `json:"balance"`
		Amount  iimmpact.Amount `json:"amount"`
	}
	if err := json.Unmarshal([]byte(`{"balance": 48.6333, "amount": "30.0000"}`), &resp); err != nil {
		panic(err)
	}
	fmt.Println(resp.Balance, resp.Amount)
	// Output:
	// 30
	// true
	// iimmpact: invalid amount "1.123456789": more than 8 decimal places
	// 48.6333 30
}

func ExampleAmount_Add() {
	a := iimmpact.MustParseAmount("0.1")
	b := iimmpact.MustParseAmount("0.2")
	sum := a.Add(b)
	fmt.Println(sum, sum == iimmpact.MustParseAmount("0.3"))

	balance := iimmpact.MustParseAmount("48.6333")
	price := iimmpact.AmountFromInt(30)
	left := balance.Sub(price)
	fmt.Println(left, left.Cmp(price), left.Sign())
	// Output:
	// 0.3 true
	// 18.6333 -1 1
}

// IIMMPACT's backend computes in floating point: its JSON may carry float
// noise or an exponent. Decoding reads the amount meant, rounded half to
// even to 8 decimals; ParseAmount, for your own input, stays strict.
func ExampleAmount_UnmarshalJSON() {
	var cb struct {
		Balance, Cost iimmpact.Amount
	}
	_ = json.Unmarshal([]byte(`{"balance": 50.540000000000006, "cost": 1.0E-5}`), &cb)
	fmt.Println(cb.Balance, cb.Cost)
	_, err := iimmpact.ParseAmount("50.540000000000006")
	fmt.Println(err != nil)
	// Output:
	// 50.54 0.00001
	// true
}
