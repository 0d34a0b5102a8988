-- A locked pay period reads back as it was exported: each line keeps its
-- class and officer rate too.
ALTER TABLE payroll_lines ADD COLUMN class TEXT NOT NULL DEFAULT '';
ALTER TABLE payroll_lines ADD COLUMN rate TEXT NOT NULL DEFAULT '';
