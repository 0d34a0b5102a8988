-- Customers (issue 15): the purchase-order rule, sites put away, accounts
-- merged into another, and the bill-to an invoice was issued with.

-- A request for an account with po_required set is refused at intake
-- without a PO number.
ALTER TABLE customers ADD COLUMN po_required INTEGER NOT NULL DEFAULT 0 CHECK (po_required IN (0, 1));

-- A duplicate account merged into another: its jobs, sites, contacts, users
-- and invoices moved to merged_into; the row stays (hidden from the lists,
-- refused for new work) so that its id still says where it went.
ALTER TABLE customers ADD COLUMN merged_into INTEGER REFERENCES customers(id);
ALTER TABLE customers ADD COLUMN merged_at TEXT;

-- A site some job uses is archived rather than removed: hidden from new
-- requests, kept by its jobs.
ALTER TABLE sites ADD COLUMN archived_at TEXT;

-- Whether a site is used (removed or archived), and its jobs, without
-- reading every job.
CREATE INDEX jobs_site ON jobs(site_id);

-- The name and address an invoice was issued to: set when it is issued, so
-- an account edited or merged later leaves issued invoices as they were.
-- NULL (a draft) reads the account's current ones.
ALTER TABLE invoices ADD COLUMN bill_name TEXT;
ALTER TABLE invoices ADD COLUMN bill_address TEXT;

-- Invoices issued before this migration keep the bill-to they show now.
UPDATE invoices SET bill_name = (SELECT c.name FROM customers c WHERE c.id = invoices.customer_id),
    bill_address = (SELECT c.address FROM customers c WHERE c.id = invoices.customer_id)
    WHERE state <> 'draft';
