-- Agencies' settings the office edits (issue 15). The cancellation terms
-- move onto the rate card, so a job keeps the terms of the card it was
-- priced with: the admin fee is charged for the first cancel_admin_minutes
-- of each cancelled position, and a cancellation less than
-- cancel_late_minutes before the start adds the officer share. Every card
-- saved so far had RULES.md's terms: 24 h and 48 h.
ALTER TABLE rate_cards ADD COLUMN cancel_admin_minutes INTEGER NOT NULL DEFAULT 1440 CHECK (cancel_admin_minutes >= 0);
ALTER TABLE rate_cards ADD COLUMN cancel_late_minutes INTEGER NOT NULL DEFAULT 2880 CHECK (cancel_late_minutes >= 0);
