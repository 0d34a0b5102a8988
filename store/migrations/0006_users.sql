-- Users of the console served over SSH, their roles and public keys.

CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE CHECK (name <> ''),
    role        TEXT NOT NULL CHECK (role IN ('operator', 'dispatcher', 'supervisor', 'customer')),
    customer_id INTEGER REFERENCES customers(id),
    created_at  TEXT NOT NULL,
    CHECK ((role = 'customer') = (customer_id IS NOT NULL))
);

CREATE TABLE user_keys (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL UNIQUE,          -- SHA256:...
    key         TEXT NOT NULL,                 -- the authorized_keys line, without comment
    comment     TEXT NOT NULL DEFAULT '',
    added_at    TEXT NOT NULL
);
CREATE INDEX user_keys_user ON user_keys(user_id);
