-- The case journal (issue 19), PostgreSQL: the same tables as migrations/sqlite/0001_journal.sql.
-- Events and audit records are append-only (the triggers refuse UPDATE and DELETE).

CREATE TABLE cases (
  id TEXT PRIMARY KEY,
  version INTEGER NOT NULL CHECK (version >= 0),
  status TEXT NOT NULL,
  territory TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL,
  retention_until DATE  -- last day the case must be kept; NULL: no period configured
);

CREATE TABLE case_events (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- the global order of every event of every case
  case_id TEXT NOT NULL REFERENCES cases (id),
  version INTEGER NOT NULL CHECK (version >= 1),
  event_id TEXT NOT NULL UNIQUE,
  command_id TEXT NOT NULL,
  type TEXT NOT NULL,
  schema_version INTEGER NOT NULL,
  occurred_at TEXT NOT NULL,  -- ISO 8601 as the event carries it (its offset kept)
  recorded_at TEXT NOT NULL,
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  legal_basis TEXT NOT NULL,
  subject TEXT NOT NULL,
  payload JSONB NOT NULL,  -- the open fields
  sealed BYTEA,            -- nonce || AES-GCM ciphertext of the sealed fields (NULL: none)
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
  key BYTEA NOT NULL,
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
  seq BIGINT PRIMARY KEY,
  case_id TEXT NOT NULL,
  at TEXT NOT NULL,
  prev TEXT NOT NULL,
  hash TEXT NOT NULL,
  record TEXT NOT NULL  -- the record's canonical JSON line, as the JSON Lines audit writes it
);
CREATE INDEX disclosure_audit_by_case ON disclosure_audit (case_id);

CREATE FUNCTION journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER case_events_append_only BEFORE UPDATE OR DELETE ON case_events
  FOR EACH ROW EXECUTE FUNCTION journal_append_only();
CREATE TRIGGER disclosure_audit_append_only BEFORE UPDATE OR DELETE ON disclosure_audit
  FOR EACH ROW EXECUTE FUNCTION journal_append_only();
