-- One row per (study, condition), with the study's attributes so dashboard filters apply.
SELECT s.org, c.condition, s.nct_id, s.overall_status, s.phase, s.study_type, s.sponsor_class, s.start_date, s.enrollment
FROM conditions AS c
JOIN studies AS s ON s.nct_id = c.nct_id
-- Only the signed-in organisation's studies (:tenant is bound from the session).
WHERE s.org = :tenant
