-- Officers' standing (issue 15): periods of leave, suspension or restricted
-- duty; certifications with an expiry date; and the venue categories or
-- customers that need a certification. Days are local days of the
-- officer's agency ("YYYY-MM-DD"); an end day is inclusive.

-- A period an officer is on leave, suspended or on restricted duty, from
-- from_day through to_day (NULL: until further notice).
CREATE TABLE officer_standing (
    id         INTEGER PRIMARY KEY,
    officer_id INTEGER NOT NULL REFERENCES officers(id),
    kind       TEXT NOT NULL CHECK (kind IN ('leave', 'suspension', 'restricted')),
    from_day   TEXT NOT NULL,
    to_day     TEXT CHECK (to_day IS NULL OR to_day >= from_day),
    reason     TEXT NOT NULL CHECK (reason <> ''),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX officer_standing_officer ON officer_standing(officer_id, from_day);

-- A certification an officer holds, valid through expires_on (a local day).
-- The name is kept as typed, in lower case ("traffic control").
CREATE TABLE officer_certs (
    officer_id INTEGER NOT NULL REFERENCES officers(id),
    name       TEXT NOT NULL CHECK (name <> ''),
    expires_on TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (officer_id, name)
);

-- What a venue category, or one customer, requires of every officer on its
-- jobs: a certification current through the shift's end.
CREATE TABLE cert_requirements (
    id          INTEGER PRIMARY KEY,
    venue       TEXT,
    customer_id INTEGER REFERENCES customers(id),
    cert        TEXT NOT NULL CHECK (cert <> ''),
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    CHECK ((venue IS NULL) <> (customer_id IS NULL))
);
CREATE UNIQUE INDEX cert_requirements_venue ON cert_requirements(venue, cert) WHERE venue IS NOT NULL;
CREATE UNIQUE INDEX cert_requirements_customer ON cert_requirements(customer_id, cert) WHERE customer_id IS NOT NULL;
