-- Enrollment against targets: each lead sponsor's enrollment (the organisation's studies) beside the
-- target the organisation uploaded for it (uploads/enrollment_targets.yaml). Sponsors without a
-- target are kept, with a NULL target, so the first upload is visible as the column filling in.
WITH enrolled AS (
  SELECT s.org, s.lead_sponsor AS sponsor, count(*) AS studies, sum(s.enrollment) AS enrollment
  FROM studies AS s
  WHERE s.org = :tenant -- the signed-in organisation's studies only
  GROUP BY s.org, s.lead_sponsor
)
SELECT e.org, e.sponsor, e.studies, e.enrollment, t.target,
       CASE WHEN t.target > 0 THEN e.enrollment / t.target END AS attainment
FROM enrolled AS e
LEFT JOIN enrollment_targets AS t ON t.org = e.org AND t.sponsor = e.sponsor
