package store

import "time"

// SetBillHold sets how long GenerateInvoices' save holds the write lock
// before it commits a batch of accounts (0: every account commits alone),
// and returns what puts the default back; for generate_test.go.
func SetBillHold(d time.Duration) (restore func()) {
	old := billHold
	billHold = d
	return func() { billHold = old }
}

// SetAfterBillCommit sets what runs after each batch GenerateInvoices'
// save commits, with the number of accounts it saved (nil: nothing).
func SetAfterBillCommit(fn func(accounts int)) { afterBillCommit = fn }

// SetDraftRows sets how many rows a statement of the save writes (invoices,
// audit, lines, claims) and returns what puts the defaults back.
func SetDraftRows(rows [4]int) (restore func()) {
	old := draftRows
	draftRows = rows
	return func() { draftRows = old }
}
