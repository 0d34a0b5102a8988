-- Billing writes (issue 16): invoice_lines_job (job_id) served no query (the
-- lines are read by invoice, by day, or through invoice_lines_money and
-- invoice_lines_day, see EXPLAIN QUERY PLAN) and cost every line saved an
-- index insert. Its only other use would be as the child index of the
-- lines' reference to jobs, when a job is deleted or renumbered: neither
-- ever happens.
DROP INDEX IF EXISTS invoice_lines_job;
