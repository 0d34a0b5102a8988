-- The web pages for customers and officers (issue 17): one-time sign-in
-- links, sessions, officers' calendar feeds, and the sign-in requests that
-- rate-limit them. No secret is kept as given: a link's token, a session's
-- id and a calendar feed's secret are stored as their SHA-256 (hex); what
-- the browser or the calendar app holds is the only copy.
--
-- Rows go with their user (ON DELETE CASCADE): a removed user's links,
-- sessions and feed stop at once. A later migration that makes users again
-- (as 0008 did) drops them too, which only asks people to sign in again.

-- A sign-in link e-mailed to a user: works once (used_at), until expires_at.
CREATE TABLE web_signin_links (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    address     TEXT NOT NULL,              -- where it was sent: it must still be the user's
    next_path   TEXT NOT NULL DEFAULT '',   -- the page asked for before signing in
    message_id  INTEGER,                    -- its e-mail in the outbox (the link is blanked there once used or expired)
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);
CREATE INDEX web_signin_links_expires ON web_signin_links(expires_at);

-- Every request for a link, known address or not: at most a few per
-- address in a window.
CREATE TABLE web_signin_requests (
    id      INTEGER PRIMARY KEY,
    address TEXT NOT NULL,   -- lower case
    at      TEXT NOT NULL
);
CREATE INDEX web_signin_requests_address ON web_signin_requests(address, at);

-- A signed-in browser: ends after idle_until or expires_at, or at sign-out.
CREATE TABLE web_sessions (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf        TEXT NOT NULL,              -- the session's form token
    created_at  TEXT NOT NULL,
    seen_at     TEXT NOT NULL,
    expires_at  TEXT NOT NULL               -- the longest it lives, however busy
);
CREATE INDEX web_sessions_user ON web_sessions(user_id);
CREATE INDEX web_sessions_expires ON web_sessions(expires_at);

-- An officer user's calendar subscription: one secret at a time; a new one
-- replaces it, and it can be stopped.
CREATE TABLE web_calendar_feeds (
    user_id     INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret_hash TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL
);

-- The web pages' public address while `offduty serve --http` runs (one
-- row): open-shift e-mails link to a shift's page on it; '' when off.
CREATE TABLE web_config (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    public_url  TEXT NOT NULL DEFAULT ''
);
