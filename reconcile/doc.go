// Package reconcile compares a merchant's own record of its payments with
// what IIMMPACT recorded and what it took from the wallet, for one GMT+8
// day or a range, to the sen.
//
// Three sources meet: the merchant's Ledger (a small iterator interface:
// PaymentsLedger over the payments layer's store, SliceLedger in memory,
// or the merchant's own order table), /v2/transactions
// (every page, every status) and /v2/balance-statement (every page, with
// its summary). The result is a Report with one Discrepancy per thing that
// does not reconcile, each with the refid and both sides' values:
//
//   - OursOpen: ours pending, unknown or abandoned, theirs final. With WithResolver
//     the ledger is settled from the record, which is a definitive answer.
//   - StatusDiffers: both final and different, e.g. a success that became
//     Refund (53), which the Resolver also applies.
//   - AmountDiffers, CostDiffers, RequestDiffers: the request or the cost
//     (IIMMPACT's price) differs, compared exactly.
//   - Unrecorded: a refid IIMMPACT has and the ledger never recorded.
//   - Missing: a payment sent longer ago than the settling window that the
//     history does not hold. Absence from a listing is not proof that
//     nothing was created, so it is never resolved automatically.
//   - WalletMismatch: the statement's debits or refunds differ from the
//     costs of the records charged and refunded.
//   - SummaryMismatch, MetaMismatch, BalanceBreak: IIMMPACT's own totals
//     disagree with its own entries or records.
//
// # Memory
//
// A run reads the ledger's payments for the window into one map (the only
// side held in memory), then streams the history a page at a time,
// deleting each matched refid, and the statement a page at a time keeping
// only running sums. 100,000 payments take about 40 MiB of peak heap; see
// the README for the benchmark.
//
// # Day boundaries
//
// The history is filtered by the day a transaction was created, the
// statement by the day money moved. A success that settled after the
// window is left out of the window's expected debits (SettledLater); one
// created in the lookback day before the window (WithLookback, default 1)
// and settled inside it is added (SettledEarlier), so a payment made at
// 23:59 that succeeds after midnight reconciles on both days. A refund
// made on a later day than its payment moves the wallet on a day whose
// history does not hold the payment, and shows as a WalletMismatch on
// both days; reconciling a Range that covers both nets it out.
//
// A payment the ledger dates just before midnight may be created by
// IIMMPACT just after it. The ledger is read WithBoundarySkew (default 5
// minutes) beyond both ends of the window, so the next day's run matches
// it, and the day's own run looks such a payment up in the next day's
// history (by its account) before calling it Missing.
//
// # Assumptions
//
// The summary's signs are not documented, so its totals are compared by
// magnitude. The meta's total_amount and total_price are taken to cover
// successful records only, as in IIMMPACT's own example.
package reconcile
