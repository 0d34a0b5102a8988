-- offduty schema, version 1. Instants are UTC text "YYYY-MM-DDTHH:MM:SSZ";
-- money is decimal text with two places ("57.00"); NULL rate = not offered.

CREATE TABLE agencies (
    id         INTEGER PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE CHECK (slug <> ''),
    name       TEXT NOT NULL CHECK (name <> ''),
    zone       TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE rate_cards (
    id                 INTEGER PRIMARY KEY,
    agency_id          INTEGER NOT NULL REFERENCES agencies(id),
    effective_from     TEXT NOT NULL,
    regular_total      TEXT NOT NULL,
    regular_officer    TEXT NOT NULL,
    supervisor_total   TEXT,
    supervisor_officer TEXT,
    holiday_total      TEXT,
    holiday_officer    TEXT,
    emergency_total    TEXT,
    emergency_officer  TEXT,
    vehicle_total      TEXT,
    vehicle_officer    TEXT,
    minimum_minutes    INTEGER NOT NULL CHECK (minimum_minutes >= 0),
    notice_minutes     INTEGER NOT NULL CHECK (notice_minutes >= 0),
    supervisor_at      INTEGER NOT NULL DEFAULT 0 CHECK (supervisor_at >= 0),
    note               TEXT NOT NULL DEFAULT '',
    created_at         TEXT NOT NULL,
    created_by         TEXT NOT NULL,
    UNIQUE (agency_id, effective_from)
);

CREATE TABLE agency_holidays (
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    key       TEXT NOT NULL,
    name      TEXT NOT NULL,
    rule      TEXT NOT NULL,
    PRIMARY KEY (agency_id, key)
);

-- Prohibited venues, with the agency's rule quoted on refusal.
CREATE TABLE venue_rules (
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    venue     TEXT NOT NULL,
    rule      TEXT NOT NULL,
    PRIMARY KEY (agency_id, venue)
);

CREATE TABLE customers (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL CHECK (name <> ''),
    phone         TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    address       TEXT NOT NULL DEFAULT '',
    billing_cycle TEXT NOT NULL DEFAULT 'monthly' CHECK (billing_cycle IN ('weekly', 'biweekly', 'monthly')),
    terms_days    INTEGER NOT NULL DEFAULT 30 CHECK (terms_days >= 0),
    notes         TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL
);
CREATE INDEX customers_name ON customers(name COLLATE NOCASE);

CREATE TABLE contacts (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    name        TEXT NOT NULL,
    phone       TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT '',
    role        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX contacts_customer ON contacts(customer_id);

CREATE TABLE sites (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    name        TEXT NOT NULL CHECK (name <> ''),
    address     TEXT NOT NULL DEFAULT '',
    notes       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sites_customer ON sites(customer_id);

CREATE TABLE officers (
    id                 INTEGER PRIMARY KEY,
    agency_id          INTEGER NOT NULL REFERENCES agencies(id),
    badge              TEXT NOT NULL CHECK (badge <> ''),
    first_name         TEXT NOT NULL,
    last_name          TEXT NOT NULL,
    rank               TEXT NOT NULL CHECK (rank IN ('officer', 'corporal', 'sergeant', 'lieutenant', 'captain')),
    phone              TEXT NOT NULL DEFAULT '',
    email              TEXT NOT NULL DEFAULT '',
    weekly_cap_minutes INTEGER NOT NULL CHECK (weekly_cap_minutes > 0),
    hired_on           TEXT NOT NULL,
    active             INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    UNIQUE (agency_id, badge)
);

CREATE TABLE series (
    id         INTEGER PRIMARY KEY,
    weeks      INTEGER NOT NULL CHECK (weeks >= 1),
    created_at TEXT NOT NULL
);

CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY,
    customer_id   INTEGER NOT NULL REFERENCES customers(id),
    site_id       INTEGER NOT NULL REFERENCES sites(id),
    agency_id     INTEGER NOT NULL REFERENCES agencies(id),
    rate_card_id  INTEGER NOT NULL REFERENCES rate_cards(id),
    series_id     INTEGER REFERENCES series(id),
    series_index  INTEGER NOT NULL DEFAULT 0,
    starts_at     TEXT NOT NULL,
    ends_at       TEXT NOT NULL CHECK (ends_at > starts_at),
    officers      INTEGER NOT NULL CHECK (officers BETWEEN 1 AND 500),
    supervisors   INTEGER NOT NULL DEFAULT 0 CHECK (supervisors >= 0),
    vehicles      INTEGER NOT NULL DEFAULT 0 CHECK (vehicles >= 0),
    venue         TEXT NOT NULL,
    received_at   TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'scheduled', 'in_progress', 'completed', 'invoiced', 'paid', 'cancelled')),
    contact_name  TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    post_orders   TEXT NOT NULL DEFAULT '',
    po_number     TEXT NOT NULL DEFAULT '',
    total         TEXT NOT NULL,
    bookable      INTEGER NOT NULL CHECK (bookable IN (0, 1)),
    quote_json    TEXT NOT NULL,
    cancel_fee    TEXT,
    cancelled_at  TEXT,
    cancel_reason TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX jobs_starts ON jobs(starts_at);
CREATE INDEX jobs_customer ON jobs(customer_id, starts_at);
CREATE INDEX jobs_status ON jobs(status, starts_at);

CREATE TABLE positions (
    id           INTEGER PRIMARY KEY,
    job_id       INTEGER NOT NULL REFERENCES jobs(id),
    slot         INTEGER NOT NULL,
    class        TEXT NOT NULL CHECK (class IN ('officer', 'supervisor')),
    officer_id   INTEGER REFERENCES officers(id),
    starts_at    TEXT NOT NULL,
    ends_at      TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'assigned', 'cancelled')),
    check_in_at  TEXT,
    check_out_at TEXT,
    attendance   TEXT NOT NULL DEFAULT '' CHECK (attendance IN ('', 'released_early', 'held_over', 'no_show')),
    UNIQUE (job_id, slot)
);
CREATE INDEX positions_officer ON positions(officer_id, starts_at);
CREATE INDEX positions_starts ON positions(starts_at);

CREATE TABLE audit (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    action    TEXT NOT NULL,
    before    TEXT NOT NULL DEFAULT '',
    after     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_entity ON audit(entity, entity_id);
