-- Who reads a field note or a media file, chosen when it is written (RULES.md "Who sees what"):
--   staff     the office's own staff only (the default, and what every earlier row was);
--   officers  the staff and the officers on the job;
--   customer  the staff, the customer's users, and the officers on the job.
-- Post orders are not stored here: they always go to the officers on the job and the customer.

ALTER TABLE job_notes ADD COLUMN audience TEXT NOT NULL DEFAULT 'staff'
    CHECK (audience IN ('staff', 'officers', 'customer'));
ALTER TABLE media ADD COLUMN audience TEXT NOT NULL DEFAULT 'staff'
    CHECK (audience IN ('staff', 'officers', 'customer'));
