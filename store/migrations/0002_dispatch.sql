-- Dispatch: cap overrides, no-shows, field notes, media, fees, audit per job.

ALTER TABLE positions ADD COLUMN override_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE positions ADD COLUMN no_show_officer_id INTEGER REFERENCES officers(id);

CREATE TABLE job_notes (
    id     INTEGER PRIMARY KEY,
    job_id INTEGER NOT NULL REFERENCES jobs(id),
    at     TEXT NOT NULL,
    author TEXT NOT NULL,
    body   TEXT NOT NULL CHECK (body <> '')
);
CREATE INDEX job_notes_job ON job_notes(job_id, at);

CREATE TABLE media (
    id       INTEGER PRIMARY KEY,
    job_id   INTEGER NOT NULL REFERENCES jobs(id),
    sha256   TEXT NOT NULL,
    name     TEXT NOT NULL,
    size     INTEGER NOT NULL CHECK (size >= 0),
    type     TEXT NOT NULL,
    added_at TEXT NOT NULL,
    added_by TEXT NOT NULL
);
CREATE INDEX media_job ON media(job_id);

-- Cancellation and reduction fees, line by line (jobs.cancel_fee is their sum).
CREATE TABLE job_fees (
    id      INTEGER PRIMARY KEY,
    job_id  INTEGER NOT NULL REFERENCES jobs(id),
    at      TEXT NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('cancel', 'reduce')),
    total   TEXT NOT NULL,
    admin   TEXT NOT NULL,
    officer TEXT NOT NULL,
    detail  TEXT NOT NULL,
    actor   TEXT NOT NULL
);
CREATE INDEX job_fees_job ON job_fees(job_id);

ALTER TABLE audit ADD COLUMN job_id INTEGER;
UPDATE audit SET job_id = entity_id WHERE entity = 'job';
UPDATE audit SET job_id = (SELECT job_id FROM positions WHERE positions.id = audit.entity_id) WHERE entity = 'position';
CREATE INDEX audit_job ON audit(job_id, id);
CREATE INDEX audit_actor ON audit(actor, id);
