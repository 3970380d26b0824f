-- The data subject's right of access (GDPR art. 15): what the journal holds about a subject
-- (the events about them and about their household as a whole) and who received data of
-- their case (the disclosure audit), one row each, in order.

CREATE VIEW subject_access AS
SELECT s.case_id AS case_id, s.subject AS subject, 'event' AS kind, e.seq AS seq, e.occurred_at AS at,
       e.type AS what, e.actor AS who, e.role AS role, e.legal_basis AS basis, e.event_id AS ref
  FROM event_subjects s JOIN case_events e ON e.event_id = s.event_id
UNION ALL
SELECT a.case_id, NULL, 'disclosure', a.seq, a.at, json_extract(a.record, '$.purpose'),
       json_extract(a.record, '$.recipient'), json_extract(a.record, '$.recipient_service'),
       json_extract(a.record, '$.channel'), a.hash
  FROM disclosure_audit a;
