-- Officers, agencies and customers in the loop: officer and agency users,
-- people's e-mail addresses, sign-ups for open shifts, the notifications
-- outbox and opt-outs, each agency's dispatch address.

-- users gains the officer and agency roles (a CHECK cannot be altered: the
-- table is made again, and user_keys with it so that no key is lost to
-- ON DELETE CASCADE).
CREATE TABLE users_next (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE CHECK (name <> ''),
    role        TEXT NOT NULL CHECK (role IN ('operator', 'dispatcher', 'supervisor', 'customer', 'officer', 'agency')),
    customer_id INTEGER REFERENCES customers(id),
    officer_id  INTEGER REFERENCES officers(id),
    agency_id   INTEGER REFERENCES agencies(id),
    email       TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    CHECK ((role = 'customer') = (customer_id IS NOT NULL)),
    CHECK ((role = 'officer') = (officer_id IS NOT NULL)),
    CHECK ((role = 'agency') = (agency_id IS NOT NULL))
);
INSERT INTO users_next (id, name, role, customer_id, created_at) SELECT id, name, role, customer_id, created_at FROM users;
CREATE TABLE user_keys_next (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users_next(id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL UNIQUE,
    key         TEXT NOT NULL,
    comment     TEXT NOT NULL DEFAULT '',
    added_at    TEXT NOT NULL
);
INSERT INTO user_keys_next SELECT id, user_id, fingerprint, key, comment, added_at FROM user_keys;
DROP TABLE user_keys;
DROP TABLE users;
ALTER TABLE users_next RENAME TO users;
ALTER TABLE user_keys_next RENAME TO user_keys;
CREATE INDEX user_keys_user ON user_keys(user_id);
CREATE UNIQUE INDEX users_officer ON users(officer_id) WHERE officer_id IS NOT NULL;

ALTER TABLE agencies ADD COLUMN dispatch_email TEXT NOT NULL DEFAULT '';

-- An officer's sign-up for an open position: assigned at once, or held for
-- a dispatcher when the office confirms sign-ups.
CREATE TABLE signups (
    id          INTEGER PRIMARY KEY,
    position_id INTEGER NOT NULL REFERENCES positions(id),
    officer_id  INTEGER NOT NULL REFERENCES officers(id),
    at          TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('pending', 'assigned', 'refused', 'withdrawn', 'dropped')),
    decided_at  TEXT,
    decided_by  TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX signups_position ON signups(position_id, state);
CREATE INDEX signups_officer ON signups(officer_id, at);

-- Messages to send, written in the same transaction as the change they
-- tell of; a sender claims one (claimed_by until claimed_until) before
-- sending it, so that two senders never both send it.
CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,
    dedupe        TEXT UNIQUE,            -- one message per event (a reminder per shift and day, ...)
    to_addr       TEXT NOT NULL,
    to_name       TEXT NOT NULL DEFAULT '',
    subject       TEXT NOT NULL,
    body          TEXT NOT NULL,
    job_id        INTEGER REFERENCES jobs(id),
    invoice_id    INTEGER REFERENCES invoices(id), -- its PDF is attached
    created_at    TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_at       TEXT NOT NULL,
    claimed_by    TEXT NOT NULL DEFAULT '',
    claimed_until TEXT,
    sent_at       TEXT,
    last_error    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox(state, next_at);

-- Who does not want which kind of message (never a cancellation).
CREATE TABLE optouts (
    address TEXT NOT NULL,
    kind    TEXT NOT NULL,
    at      TEXT NOT NULL,
    PRIMARY KEY (address, kind)
);
