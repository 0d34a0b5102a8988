-- Billing: invoices by account and billing cycle, officer payroll.
-- Civil dates are "YYYY-MM-DD"; period ends are exclusive.

CREATE TABLE invoices (
    id           INTEGER PRIMARY KEY,
    number       TEXT UNIQUE,               -- "2026-000123", given when issued
    customer_id  INTEGER NOT NULL REFERENCES customers(id),
    cycle        TEXT NOT NULL CHECK (cycle IN ('weekly', 'biweekly', 'monthly')),
    period_start TEXT NOT NULL,
    period_end   TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('draft', 'issued', 'paid', 'void')),
    terms_days   INTEGER NOT NULL CHECK (terms_days >= 0),
    issued_on    TEXT,
    due_on       TEXT,
    paid_on      TEXT,
    paid_ref     TEXT NOT NULL DEFAULT '',
    void_reason  TEXT NOT NULL DEFAULT '',
    subtotal     TEXT NOT NULL,
    total        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX invoices_customer ON invoices(customer_id, period_start);
CREATE INDEX invoices_state ON invoices(state, due_on);

CREATE TABLE invoice_lines (
    id          INTEGER PRIMARY KEY,
    invoice_id  INTEGER NOT NULL REFERENCES invoices(id),
    seq         INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('shift', 'vehicle', 'fee')),
    job_id      INTEGER NOT NULL REFERENCES jobs(id),
    position_id INTEGER REFERENCES positions(id),
    fee_id      INTEGER REFERENCES job_fees(id),
    day         TEXT NOT NULL,
    site        TEXT NOT NULL,
    officer     TEXT NOT NULL DEFAULT '',
    class       TEXT NOT NULL,
    basis       TEXT NOT NULL DEFAULT '',
    count       INTEGER NOT NULL DEFAULT 1,
    minutes     INTEGER NOT NULL DEFAULT 0,
    rate        TEXT NOT NULL DEFAULT '0.00',
    amount      TEXT NOT NULL,
    officer_pay TEXT NOT NULL,
    admin_fee   TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    UNIQUE (invoice_id, seq)
);
CREATE INDEX invoice_lines_job ON invoice_lines(job_id);

-- What a draft, issued or paid invoice bills: a position, a job's vehicles or
-- a fee is on at most one invoice that is not void (voiding deletes its claims).
CREATE TABLE invoice_claims (
    kind       TEXT NOT NULL CHECK (kind IN ('position', 'vehicle', 'fee')),
    ref_id     INTEGER NOT NULL,
    invoice_id INTEGER NOT NULL REFERENCES invoices(id),
    PRIMARY KEY (kind, ref_id)
);
CREATE INDEX invoice_claims_invoice ON invoice_claims(invoice_id);

-- Gap-free numbering per year.
CREATE TABLE invoice_counters (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- A locked pay period keeps what was paid, line by line; later changes to
-- its shifts are paid in the next open period as adjustments.
CREATE TABLE payroll_locks (
    period_start TEXT PRIMARY KEY,
    period_end   TEXT NOT NULL,
    locked_at    TEXT NOT NULL,
    locked_by    TEXT NOT NULL,
    total        TEXT NOT NULL
);

CREATE TABLE payroll_lines (
    id           INTEGER PRIMARY KEY,
    period_start TEXT NOT NULL REFERENCES payroll_locks(period_start),
    officer_id   INTEGER NOT NULL REFERENCES officers(id),
    job_id       INTEGER NOT NULL REFERENCES jobs(id),
    position_id  INTEGER REFERENCES positions(id),
    kind         TEXT NOT NULL CHECK (kind IN ('shift', 'vehicle', 'adjustment')),
    day          TEXT NOT NULL,
    minutes      INTEGER NOT NULL,
    amount       TEXT NOT NULL
);
CREATE INDEX payroll_lines_position ON payroll_lines(position_id);
CREATE INDEX payroll_lines_officer ON payroll_lines(officer_id, period_start);
