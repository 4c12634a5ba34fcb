package iimmpacttest

import (
	"encoding/json"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// addHistory puts n successful D topups of RM 30 in the history, dated now.
func addHistory(s *Server, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for range n {
		id := "hist-" + strconv.FormatInt(s.nextTrx, 10)
		t := &txn{trxID: s.nextTrx, refID: id, product: s.products["D"], account: "0123456789",
			amount: 300000, cost: 294000, code: codeSuccess, created: now, settled: now}
		s.nextTrx++
		s.txns[id] = t
		s.order = append(s.order, t)
		s.changedLocked()
	}
}

// historyPage asks the handler itself for one page.
func historyPage(t testing.TB, s *Server, query string) (refids []string, count string) {
	r := &request{http: httptest.NewRequest("GET", "/v2/transactions?"+query, nil), now: s.now()}
	resp := s.handleTransactions(r)
	require.Equal(t, 200, resp.status, string(resp.body))
	var page struct {
		Data []struct {
			RefID  string `json:"refid"`
			Status string `json:"status_code"`
		} `json:"data"`
		Meta struct {
			Count string `json:"transaction_count"`
		} `json:"meta"`
	}
	require.NoError(t, json.Unmarshal(resp.body, &page))
	for _, d := range page.Data {
		refids = append(refids, d.RefID)
	}
	return refids, page.Meta.Count
}

// Walking every page of one query reads the whole history once, so a page
// costs its own records whatever the total; any change to a transaction
// (a new one, a settlement, a refund) is seen by the very next page.
func TestHistoryPagesReadTheRecordsOnce(t *testing.T) {
	s := NewServer()
	defer s.Close()
	addHistory(s, 1000)
	day := s.now().In(myt).Format(time.DateOnly)
	var seen []string
	for off := 0; off < 1000; off += 100 {
		ids, count := historyPage(t, s, "date="+day+"&limit=100&offset="+strconv.Itoa(off))
		require.Len(t, ids, 100)
		assert.Equal(t, "1000", count)
		seen = append(seen, ids...)
	}
	assert.Equal(t, 1, s.historyReads, "ten pages, one read of the records")
	unique := map[string]bool{}
	for _, id := range seen {
		unique[id] = true
	}
	assert.Len(t, unique, 1000, "every record once, in pages that do not overlap")

	addHistory(s, 1)
	_, count := historyPage(t, s, "date="+day+"&limit=100&offset=1000")
	assert.Equal(t, "1001", count, "a new transaction is seen at once")

	first := seen[0]
	require.True(t, s.Refund(first))
	ids, count := historyPage(t, s, "date="+day+"&limit=1&status=REFUND")
	assert.Equal(t, []string{first}, ids, "a refund is seen at once")
	assert.Equal(t, "1", count)
	ids, _ = historyPage(t, s, "date="+day+"&limit=1&status=SUCCESSFUL")
	assert.NotEqual(t, []string{first}, ids)
	assert.Equal(t, 4, s.historyReads)
}

// BenchmarkHistoryPage serves the last page of 100 of a walk from a
// history of 1,000, 10,000 and 100,000 records: ns/op stays flat.
func BenchmarkHistoryPage(b *testing.B) {
	for _, total := range []int{1000, 10000, 100000} {
		b.Run("rows="+strconv.Itoa(total), func(b *testing.B) {
			s := NewServer()
			defer s.Close()
			addHistory(s, total)
			day := s.now().In(myt).Format(time.DateOnly)
			historyPage(b, s, "date="+day+"&limit=100") // the walk's first page reads the records
			q := "date=" + day + "&limit=100&offset=" + strconv.Itoa(total-100)
			b.ReportAllocs()
			for b.Loop() {
				if ids, _ := historyPage(b, s, q); len(ids) != 100 {
					b.Fatal(len(ids))
				}
			}
		})
	}
}
