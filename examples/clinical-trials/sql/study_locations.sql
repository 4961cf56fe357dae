-- One row per study site, with the study's attributes so dashboard filters apply.
SELECT s.org, l.country, l.city, l.facility, l.status AS site_status, s.nct_id, s.overall_status, s.phase,
       s.study_type, s.sponsor_class, s.start_date
FROM locations AS l
JOIN studies AS s ON s.nct_id = l.nct_id
-- Only the signed-in organisation's studies (:tenant is bound from the session).
WHERE s.org = :tenant
