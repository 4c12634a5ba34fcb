package reconcile_test

import (
	"context"
	"testing"

	"github.com/iimmpact-go/iimmpact"
	"github.com/iimmpact-go/iimmpact/reconcile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// doctored passes the fake's real answers through edit functions, to
// tamper with what "IIMMPACT" says.
type doctored struct {
	src       reconcile.Source
	history   func(*iimmpact.TransactionPage)
	statement func(*iimmpact.BalanceStatementPage)
}

func (d doctored) Transactions(ctx context.Context, q iimmpact.TransactionQuery) (*iimmpact.TransactionPage, error) {
	p, err := d.src.Transactions(ctx, q)
	if err == nil && d.history != nil {
		d.history(p)
	}
	return p, err
}

func (d doctored) BalanceStatement(ctx context.Context, q iimmpact.BalanceStatementQuery) (*iimmpact.BalanceStatementPage, error) {
	p, err := d.src.BalanceStatement(ctx, q)
	if err == nil && d.statement != nil {
		d.statement(p)
	}
	return p, err
}

// TestTotalsTampered: each tampering with IIMMPACT's totals or wallet is
// reported with its kind, and only the figures it touches.
func TestTotalsTampered(t *testing.T) {
	m := newMerchant(t)
	m.pay("ok-1", "D", "0123456789", "30")
	m.pay("ok-2", "D", "0123456789", "10")
	m.pay("ok-3", "D", "0123456789", "5")
	m.srv.SetBalance(iimmpact.MustParseAmount("2000"))
	cent := iimmpact.MustParseAmount("0.01")
	cases := []struct {
		name      string
		history   func(*iimmpact.TransactionPage)
		statement func(*iimmpact.BalanceStatementPage)
		want      map[string][]reconcile.Kind
	}{
		{name: "meta total_price", history: func(p *iimmpact.TransactionPage) { p.Summary.TotalPrice = p.Summary.TotalPrice.Add(cent) },
			want: map[string][]reconcile.Kind{"meta.total_price": {reconcile.MetaMismatch}, "meta.profit": {reconcile.MetaMismatch}}},
		{name: "meta count", history: func(p *iimmpact.TransactionPage) { p.Summary.SuccessfulCount++ },
			want: map[string][]reconcile.Kind{"meta.successful_count": {reconcile.MetaMismatch}}},
		{name: "summary deposit", statement: func(p *iimmpact.BalanceStatementPage) { p.Summary.Deposit = p.Summary.Deposit.Add(cent) },
			want: map[string][]reconcile.Kind{"summary.total_deposit": {reconcile.SummaryMismatch}}},
		{name: "summary missing", statement: func(p *iimmpact.BalanceStatementPage) { p.Summary = nil },
			want: map[string][]reconcile.Kind{}},
		{name: "a debit overcharged", statement: func(p *iimmpact.BalanceStatementPage) {
			e := &p.Items[1]
			e.Amount = e.Amount.Sub(cent)
			for i := 1; i < len(p.Items); i++ {
				p.Items[i].Balance = p.Items[i].Balance.Sub(cent) // a consistent ledger, wrong debit
			}
		}, want: map[string][]reconcile.Kind{"statement.transactions": {reconcile.WalletMismatch},
			"summary.total_transactions.amount": {reconcile.SummaryMismatch}}},
		{name: "a balance that does not follow", statement: func(p *iimmpact.BalanceStatementPage) {
			p.Items[2].Balance = p.Items[2].Balance.Add(cent)
		}, want: map[string][]reconcile.Kind{"entry 7731207 balance": {reconcile.BalanceBreak},
			"entry 7731208 balance": {reconcile.BalanceBreak}}},
		{name: "an undocumented entry", statement: func(p *iimmpact.BalanceStatementPage) {
			last := p.Items[len(p.Items)-1]
			p.Items = append(p.Items, iimmpact.StatementEntry{ID: last.ID + 1, Amount: cent.Neg(), Balance: last.Balance.Sub(cent), Type: "FEE"})
		}, want: map[string][]reconcile.Kind{"statement.other": {reconcile.WalletMismatch}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := doctored{src: m.c, history: tc.history, statement: tc.statement}
			r, err := reconcile.New(src, m.ledger, reconcile.WithClock(m.clock))
			require.NoError(t, err)
			rep, err := r.Day(context.Background(), mayNoon)
			require.NoError(t, err)
			assert.Equal(t, tc.want, kinds(rep), "%+v", rep.Discrepancies)
		})
	}
}

// TestPagingGuards: a listing that ignores the offset or the page ends
// the run with ErrPaging instead of looping or double counting.
func TestPagingGuards(t *testing.T) {
	m := newMerchant(t)
	for _, r := range []string{"a", "b", "c"} {
		m.pay(r, "D", "0123456789", "5")
	}
	r, err := reconcile.New(offsetIgnored{m.c}, m.ledger, reconcile.WithPageSize(1))
	require.NoError(t, err)
	_, err = r.Day(context.Background(), mayNoon)
	require.ErrorIs(t, err, reconcile.ErrPaging)

	r, err = reconcile.New(pageIgnored{m.c}, m.ledger, reconcile.WithPageSize(1), reconcile.WithClock(m.clock))
	require.NoError(t, err)
	_, err = r.Day(context.Background(), mayNoon)
	require.ErrorIs(t, err, reconcile.ErrPaging)

	r, err = reconcile.New(m.c, m.ledger, reconcile.WithPageSize(1), reconcile.WithClock(m.clock))
	require.NoError(t, err)
	rep, err := r.Day(context.Background(), mayNoon)
	require.NoError(t, err)
	assert.True(t, rep.Clean(), "pages of one record each: %+v", rep.Discrepancies)
	assert.Equal(t, 3, rep.Wallet.Count)

	for _, bad := range []reconcile.Option{reconcile.WithPageSize(0), reconcile.WithPageSize(1001),
		reconcile.WithSettlingWindow(-1), reconcile.WithClock(nil)} {
		_, err := reconcile.New(m.c, m.ledger, bad)
		assert.Error(t, err)
	}
	_, err = reconcile.New(nil, m.ledger)
	assert.Error(t, err)
	_, err = m.reconciler().Range(context.Background(), mayNoon, mayNoon.AddDate(0, 0, -1))
	assert.Error(t, err)
}

type offsetIgnored struct{ reconcile.Source }

func (o offsetIgnored) Transactions(ctx context.Context, q iimmpact.TransactionQuery) (*iimmpact.TransactionPage, error) {
	q.Offset = 0
	return o.Source.Transactions(ctx, q)
}

type pageIgnored struct{ reconcile.Source }

func (o pageIgnored) BalanceStatement(ctx context.Context, q iimmpact.BalanceStatementQuery) (*iimmpact.BalanceStatementPage, error) {
	q.Page = 1
	p, err := o.Source.BalanceStatement(ctx, q)
	if err == nil {
		p.Meta.CurrentPage = 0 // hide it, so only the repeat shows
	}
	return p, err
}
