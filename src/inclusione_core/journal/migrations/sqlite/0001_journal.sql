-- The case journal (issue 19): cases, their events, command idempotency, event subjects,
-- the subjects' sealing keys, erasures and the disclosure audit with its hash chain.
-- Events and audit records are append-only (the triggers refuse UPDATE and DELETE).

CREATE TABLE cases (
  id TEXT PRIMARY KEY,
  version INTEGER NOT NULL CHECK (version >= 0),
  status TEXT NOT NULL,
  territory TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  retention_until TEXT  -- last day the case must be kept (ISO date); NULL: no period configured
);

CREATE TABLE case_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- the global order of every event of every case
  case_id TEXT NOT NULL REFERENCES cases (id),
  version INTEGER NOT NULL CHECK (version >= 1),
  event_id TEXT NOT NULL UNIQUE,
  command_id TEXT NOT NULL,
  type TEXT NOT NULL,
  schema_version INTEGER NOT NULL,
  occurred_at TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  legal_basis TEXT NOT NULL,
  subject TEXT NOT NULL,
  payload TEXT NOT NULL,  -- the open fields, JSON
  sealed BLOB,            -- nonce || AES-GCM ciphertext of the sealed fields (NULL: none)
  UNIQUE (case_id, version)
);

CREATE TABLE commands (
  command_id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases (id),
  first_version INTEGER NOT NULL,
  last_version INTEGER NOT NULL,
  recorded_at TEXT NOT NULL
);

CREATE TABLE event_subjects (
  event_id TEXT NOT NULL REFERENCES case_events (event_id),
  case_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  PRIMARY KEY (event_id, subject)
);
CREATE INDEX event_subjects_by_subject ON event_subjects (case_id, subject);

CREATE TABLE subject_keys (
  case_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  key BLOB NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (case_id, subject)
);

CREATE TABLE erased_subjects (
  case_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  event_id TEXT NOT NULL REFERENCES case_events (event_id),
  erased_at TEXT NOT NULL,
  PRIMARY KEY (case_id, subject)
);

CREATE TABLE disclosure_audit (
  seq INTEGER PRIMARY KEY,
  case_id TEXT NOT NULL,
  at TEXT NOT NULL,
  prev TEXT NOT NULL,
  hash TEXT NOT NULL,
  record TEXT NOT NULL  -- the record's canonical JSON line, as the JSON Lines audit writes it
);
CREATE INDEX disclosure_audit_by_case ON disclosure_audit (case_id);

CREATE TRIGGER case_events_append_only_update BEFORE UPDATE ON case_events
BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;
CREATE TRIGGER case_events_append_only_delete BEFORE DELETE ON case_events
BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;
CREATE TRIGGER disclosure_audit_append_only_update BEFORE UPDATE ON disclosure_audit
BEGIN SELECT RAISE(ABORT, 'disclosure_audit is append-only'); END;
CREATE TRIGGER disclosure_audit_append_only_delete BEFORE DELETE ON disclosure_audit
BEGIN SELECT RAISE(ABORT, 'disclosure_audit is append-only'); END;
