-- One row per (study, intervention), with the study's attributes so dashboard filters apply.
SELECT s.org, i.intervention_type, i.name AS intervention, s.nct_id, s.overall_status, s.phase, s.study_type,
       s.sponsor_class, s.start_date
FROM interventions AS i
JOIN studies AS s ON s.nct_id = i.nct_id
-- Only the signed-in organisation's studies (:tenant is bound from the session).
WHERE s.org = :tenant
