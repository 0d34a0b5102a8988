package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"offduty/seed"
	"offduty/store"
	"offduty/store/storetest"
)

// billSummary is what an invoice bills, for comparing two ways of billing.
func billSummary(inv store.Invoice) string {
	s := fmt.Sprintf("%d %s-%s %s:", inv.CustomerID, inv.PeriodStart.Format("2006-01-02"), inv.PeriodEnd.Format("2006-01-02"), inv.Total.StringFixed(2))
	for _, l := range inv.Lines {
		s += fmt.Sprintf(" [%d %s j%d p%d f%d %s %s %s %s %d %s %s %s %s]", l.Seq, l.Kind, l.JobID, l.PositionID, l.FeeID, l.Day.Format("2006-01-02"),
			l.Officer, l.Class, l.Basis, l.Minutes, l.Rate.StringFixed(2), l.Amount.StringFixed(2), l.OfficerPay.StringFixed(2), l.Description)
	}
	return s
}

// demoToBill is the demo database with its ended periods not billed yet,
// and the day that bills them.
func demoToBill(t *testing.T) (*store.Store, string, time.Time) {
	t.Helper()
	s, path := seededStore(t)
	if err := seed.Demo(context.Background(), s, testNow); err != nil {
		t.Fatal(err)
	}
	return s, path, day(t, testNow.AddDate(0, 0, -1).Format("2006-01-02"))
}

// Every account billed from the one read of the range bills exactly what
// each account billed on its own reads.
func TestGenerateOneReadMatchesEachAccount(t *testing.T) {
	ctx := context.Background()
	s, _, d := demoToBill(t)
	all, err := s.GenerateInvoices(ctx, localActor, d, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	custs, err := s.Customers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var each []store.Invoice
	for _, c := range custs {
		invs, err := s.GenerateInvoices(ctx, localActor, d, c.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		each = append(each, invs...)
	}
	if len(all) < 3 || len(all) != len(each) {
		t.Fatalf("all accounts: %d invoices; account by account: %d (want the same, and a few)", len(all), len(each))
	}
	byKey := map[string]string{}
	for _, inv := range each {
		byKey[fmt.Sprint(inv.CustomerID, inv.PeriodStart)] = billSummary(inv)
	}
	for _, inv := range all {
		if got, want := billSummary(inv), byKey[fmt.Sprint(inv.CustomerID, inv.PeriodStart)]; got != want {
			t.Errorf("one read:\n %s\naccount alone:\n %s", got, want)
		}
	}
	// Saved, they are what the preview showed.
	saved, err := s.GenerateInvoices(ctx, localActor, d, 0, true)
	if err != nil || len(saved) != len(all) {
		t.Fatalf("saved %d invoices, %v; previewed %d", len(saved), err, len(all))
	}
	for i := range saved {
		if saved[i].ID == 0 || billSummary(saved[i]) != billSummary(all[i]) {
			t.Errorf("saved:\n %s\npreviewed:\n %s", billSummary(saved[i]), billSummary(all[i]))
		}
	}
}

// A bill saved by someone else between the one read and the writes (by
// this process, or by another connection) is not billed again: the run
// notices the write and reads what is left inside its transactions.
func TestGenerateNoticesBillsSavedMeanwhile(t *testing.T) {
	for _, other := range []bool{false, true} {
		t.Run(map[bool]string{false: "this process", true: "another connection"}[other], func(t *testing.T) {
			ctx := context.Background()
			s, path, d := demoToBill(t)
			preview, err := s.GenerateInvoices(ctx, localActor, d, 0, false)
			if err != nil || len(preview) < 3 {
				t.Fatalf("preview = %d invoices, %v", len(preview), err)
			}
			first := preview[0].CustomerID
			var meanwhile []store.Invoice
			store.SetAfterBillRead(func() {
				store.SetAfterBillRead(nil)
				by := s
				if other {
					var err error
					if by, err = store.Open(path, store.WithClock(now)); err != nil {
						t.Error(err)
						return
					}
					defer by.Close()
				}
				var err error
				if meanwhile, err = by.GenerateInvoices(ctx, localActor, d, first, true); err != nil || len(meanwhile) == 0 {
					t.Errorf("the bill saved meanwhile = %d invoices, %v", len(meanwhile), err)
				}
			})
			defer store.SetAfterBillRead(nil)
			saved, err := s.GenerateInvoices(ctx, localActor, d, 0, true)
			if err != nil {
				t.Fatalf("the run: %v", err)
			}
			for _, inv := range saved {
				if inv.CustomerID == first {
					t.Errorf("account %d billed again: %s", first, billSummary(inv))
				}
			}
			if len(saved)+len(meanwhile) != len(preview) {
				t.Errorf("%d invoices saved by the run and %d meanwhile; the preview had %d", len(saved), len(meanwhile), len(preview))
			}
			db := rawDB(t, path)
			if n := count(t, db, `SELECT count(*) FROM invoices WHERE state = 'draft'`); n != len(preview) {
				t.Errorf("%d drafts, want %d", n, len(preview))
			}
			if n := count(t, db, `SELECT count(*) FROM (SELECT kind, ref_id FROM invoice_claims GROUP BY kind, ref_id HAVING count(*) > 1) twice`); n != 0 {
				t.Errorf("%d things claimed twice", n)
			}
			// and nothing is left to bill
			if again, err := s.GenerateInvoices(ctx, localActor, d, 0, true); err != nil || len(again) != 0 {
				t.Errorf("again = %d invoices, %v", len(again), err)
			}
		})
	}
}

// A bill saved in batches of accounts (one write transaction until it has
// held the write lock store.billHold) keeps each account apart: when an
// account is refused inside a batch, the accounts before it in the batch
// are kept (the batch is undone and saved again an account a transaction),
// and the run stops there reporting the refusal, as it did with one
// transaction per account. Run again once the cause is gone, it bills the
// rest, each thing once.
func TestGenerateBatchRefusedAccountAlone(t *testing.T) {
	for _, tc := range []struct {
		name, trigger, want string
	}{
		{"invoice refused", `CREATE TRIGGER refuse BEFORE INSERT ON invoices WHEN NEW.customer_id = %d
			BEGIN SELECT RAISE(ABORT, 'refused for the test'); END`, "refused for the test"},
		// a claim refused names what it claims, as when it is on another invoice
		{"claim refused", `CREATE TRIGGER refuse BEFORE INSERT ON invoice_claims WHEN NEW.ref_id = %d AND NEW.kind = 'position'
			BEGIN SELECT RAISE(ABORT, 'taken'); END`, "position %d is already on another invoice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s, path, d := demoToBill(t)
			preview, err := s.GenerateInvoices(ctx, localActor, d, 0, false)
			if err != nil {
				t.Fatal(err)
			}
			var accounts []int64 // in the order they are saved
			for _, inv := range preview {
				if len(accounts) == 0 || accounts[len(accounts)-1] != inv.CustomerID {
					accounts = append(accounts, inv.CustomerID)
				}
			}
			if len(accounts) < 3 {
				t.Fatalf("%d accounts to bill: want 3 or more", len(accounts))
			}
			refused := accounts[len(accounts)/2]
			var position int64
			for _, inv := range preview {
				for _, l := range inv.Lines {
					if inv.CustomerID == refused && l.Kind == "shift" && position == 0 {
						position = l.PositionID
					}
				}
			}
			db := rawDB(t, path)
			arg, want := refused, tc.want
			if tc.name == "claim refused" {
				arg, want = position, fmt.Sprintf(tc.want, position)
			}
			trigger, drop := fmt.Sprintf(tc.trigger, arg), `DROP TRIGGER refuse`
			if storetest.Postgres() {
				trigger, drop = pgTrigger(trigger), drop+` ON `+strings.Fields(trigger)[6]
			}
			if _, err := db.Exec(trigger); err != nil {
				t.Fatal(err)
			}
			drafts0 := count(t, db, `SELECT count(*) FROM invoices WHERE state = 'draft'`)
			refused0 := count(t, db, `SELECT count(*) FROM invoices WHERE customer_id = ?`, refused)
			audited0 := count(t, db, `SELECT count(*) FROM audit WHERE entity = 'invoice' AND action = 'draft'`)
			defer store.SetBillHold(time.Hour)()           // every account in one batch
			defer store.SetDraftRows([4]int{2, 2, 4, 4})() // statements of several accounts
			var batches []int
			store.SetAfterBillCommit(func(n int) { batches = append(batches, n) })
			defer store.SetAfterBillCommit(nil)

			saved, err := s.GenerateInvoices(ctx, localActor, d, 0, true)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("err = %v, want %q", err, want)
			}
			if tc.name == "claim refused" && store.ErrorCode(err) != store.EConflict {
				t.Errorf("err code = %v, want a conflict", store.ErrorCode(err))
			}
			committed := 0
			for _, n := range batches {
				committed += n
			}
			if committed != len(accounts)/2 {
				t.Errorf("batches committed = %v, want the %d accounts before the refused one", batches, len(accounts)/2)
			}
			before := map[int64]bool{}
			for _, c := range accounts[:len(accounts)/2] {
				before[c] = true
			}
			var wantSaved []store.Invoice
			for _, inv := range preview {
				if before[inv.CustomerID] {
					wantSaved = append(wantSaved, inv)
				}
			}
			if len(saved) != len(wantSaved) {
				t.Fatalf("the run reports %d invoices saved, want %d (the accounts before the refused one)", len(saved), len(wantSaved))
			}
			for i := range saved {
				if billSummary(saved[i]) != billSummary(wantSaved[i]) {
					t.Errorf("saved:\n %s\nwant:\n %s", billSummary(saved[i]), billSummary(wantSaved[i]))
				}
				// what the run reports is in the file, with its lines
				if n := count(t, db, `SELECT count(*) FROM invoice_lines WHERE invoice_id = ?`, saved[i].ID); n != len(saved[i].Lines) {
					t.Errorf("invoice #%d: %d lines in the file, %d reported", saved[i].ID, n, len(saved[i].Lines))
				}
			}
			if n := count(t, db, `SELECT count(*) FROM invoices WHERE state = 'draft'`) - drafts0; n != len(saved) {
				t.Errorf("%d new drafts in the file, want the %d reported", n, len(saved))
			}
			// the refused account left nothing: no invoice, line, claim or audit row
			if n := count(t, db, `SELECT count(*) FROM invoices WHERE customer_id = ?`, refused) - refused0; n != 0 {
				t.Errorf("the refused account has %d new invoices", n)
			}
			if n := count(t, db, `SELECT count(*) FROM invoice_lines WHERE invoice_id NOT IN (SELECT id FROM invoices)`); n != 0 {
				t.Errorf("%d lines of no invoice", n)
			}
			if n := count(t, db, `SELECT count(*) FROM invoice_claims WHERE invoice_id NOT IN (SELECT id FROM invoices)`); n != 0 {
				t.Errorf("%d claims of no invoice", n)
			}
			if n := count(t, db, `SELECT count(*) FROM audit WHERE entity = 'invoice' AND action = 'draft'`) - audited0; n != len(saved) {
				t.Errorf("%d drafts audited, want %d", n, len(saved))
			}

			// The cause gone, a second run bills the rest.
			if _, err := db.Exec(drop); err != nil {
				t.Fatal(err)
			}
			rest, err := s.GenerateInvoices(ctx, localActor, d, 0, true)
			if err != nil {
				t.Fatal(err)
			}
			if len(saved)+len(rest) != len(preview) {
				t.Errorf("%d + %d invoices saved, the preview had %d", len(saved), len(rest), len(preview))
			}
			for i, inv := range append(saved, rest...) {
				if billSummary(inv) != billSummary(preview[i]) {
					t.Errorf("saved:\n %s\npreviewed:\n %s", billSummary(inv), billSummary(preview[i]))
				}
			}
			checkSound(t, s)
		})
	}
}

// The save's write transactions are short: with a hold of 0 every account
// commits alone (each commit visible to another connection holds one more
// account's drafts); with a long one, one transaction holds them all. The
// drafts and what they claim are the same either way.
func TestGenerateBatchHold(t *testing.T) {
	// Small statements, so that a statement holds rows of several invoices
	// and accounts (the demo bills fewer lines than a statement holds).
	defer store.SetDraftRows([4]int{2, 2, 4, 4})()
	var got [2][]string
	for k, hold := range []time.Duration{0, time.Hour} {
		ctx := context.Background()
		s, path, d := demoToBill(t)
		preview, err := s.GenerateInvoices(ctx, localActor, d, 0, false)
		if err != nil {
			t.Fatal(err)
		}
		db := rawDB(t, path)
		maxID := count(t, db, `SELECT coalesce(max(id), 0) FROM invoices`)
		restore := store.SetBillHold(hold)
		var batches []int
		accountsSeen := 0
		store.SetAfterBillCommit(func(n int) {
			batches = append(batches, n)
			// committed: another connection sees it
			seen := count(t, db, `SELECT count(DISTINCT customer_id) FROM invoices WHERE state = 'draft' AND id > ?`, maxID)
			if hold == 0 && seen > accountsSeen+1 {
				t.Errorf("a commit of %d accounts' drafts with a hold of 0", seen-accountsSeen)
			}
			accountsSeen = seen
		})
		saved, err := s.GenerateInvoices(ctx, localActor, d, 0, true)
		store.SetAfterBillCommit(nil)
		restore()
		if err != nil || len(saved) != len(preview) {
			t.Fatalf("hold %v: saved %d invoices, %v; previewed %d", hold, len(saved), err, len(preview))
		}
		accounts := map[int64]bool{}
		for _, inv := range preview {
			accounts[inv.CustomerID] = true
		}
		total := 0
		for _, n := range batches {
			total += n
			if hold == 0 && n != 1 {
				t.Errorf("hold 0: a batch of %d accounts", n)
			}
		}
		if hold == 0 && len(batches) < len(accounts) {
			t.Errorf("hold 0: %d commits for %d accounts", len(batches), len(accounts))
		}
		if hold == time.Hour && len(batches) != 1 {
			t.Errorf("hold 1h: %d commits (%v), want one", len(batches), batches)
		}
		if total < len(accounts) || accountsSeen != len(accounts) {
			t.Errorf("hold %v: %d accounts in the batches, %d with drafts; %d to bill", hold, total, accountsSeen, len(accounts))
		}
		for i := range saved {
			if billSummary(saved[i]) != billSummary(preview[i]) {
				t.Errorf("hold %v: saved:\n %s\npreviewed:\n %s", hold, billSummary(saved[i]), billSummary(preview[i]))
			}
			got[k] = append(got[k], billSummary(saved[i]))
		}
		if n := count(t, db, `SELECT count(*) FROM invoice_claims`); n == 0 {
			t.Errorf("hold %v: nothing claimed", hold)
		}
		checkSound(t, s)
	}
	if strings.Join(got[0], "\n") != strings.Join(got[1], "\n") {
		t.Error("the drafts differ with the hold")
	}
}

// checkSound fails the test on any finding of store.Check.
func checkSound(t *testing.T, s *store.Store) {
	t.Helper()
	res, err := s.Check(context.Background(), localActor)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		for _, f := range r.Findings {
			t.Errorf("check %s: %s (%d): %v", r.Name, f.Problem, f.Count, f.Rows)
		}
	}
}

// pgTrigger is a SQLite trigger of the tests ("CREATE TRIGGER name BEFORE
// INSERT ON table WHEN cond BEGIN SELECT RAISE(ABORT, 'message'); END") as
// PostgreSQL has it: a function and a row trigger calling it.
func pgTrigger(sqlite string) string {
	f := strings.Fields(sqlite)
	sqlite = strings.Join(f, " ")
	name, table := f[2], f[6]
	when := strings.TrimSpace(sqlite[strings.Index(sqlite, " WHEN ")+6 : strings.Index(sqlite, " BEGIN ")])
	msg := sqlite[strings.Index(sqlite, "ABORT, ")+7 : strings.LastIndex(sqlite, ");")]
	return `CREATE FUNCTION ` + name + `() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF ` + when + ` THEN RAISE EXCEPTION ` + msg +
		`; END IF; RETURN NEW; END $$; CREATE TRIGGER ` + name + ` BEFORE INSERT ON ` + table + ` FOR EACH ROW EXECUTE FUNCTION ` + name + `()`
}
