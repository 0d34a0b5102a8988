-- Reports (issue 14) over a long history: each reads index entries, never
-- the wide rows (a job's saved quote, a line's texts), and parses money
-- only where it is summed.

-- Revenue: the invoices issued in a period.
CREATE INDEX invoices_issued ON invoices(issued_on);

-- A job's agency, customer, status and start by its id (for invoice lines
-- and positions met by another index), without reading the job's row.
CREATE INDEX jobs_dims ON jobs(id, agency_id, customer_id, status, starts_at);

-- Revenue by issue date: an invoice's lines with their money.
CREATE INDEX invoice_lines_money ON invoice_lines(invoice_id, kind, job_id, amount, officer_pay);

-- Payroll arithmetic by shift day: what the lines pay, by the shift's local date.
CREATE INDEX invoice_lines_day ON invoice_lines(day, kind, invoice_id, job_id, position_id, minutes, officer_pay);

-- Fill: a job's positions by status.
CREATE INDEX positions_job_status ON positions(job_id, status);

-- No-shows, and requests refused (not bookable): few rows of a period.
CREATE INDEX positions_noshow ON positions(starts_at, no_show_officer_id) WHERE no_show_officer_id IS NOT NULL;
CREATE INDEX jobs_refused ON jobs(starts_at) WHERE bookable = 0;

-- Fill: the jobs of a period with what it groups them by.
CREATE INDEX jobs_period ON jobs(starts_at, agency_id, customer_id, status);
