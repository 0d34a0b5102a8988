package store

// SetAfterBillRead sets what runs between GenerateInvoices' one read and
// its first write transaction (nil: nothing), for generate_test.go.
func SetAfterBillRead(fn func()) { afterBillRead = fn }
