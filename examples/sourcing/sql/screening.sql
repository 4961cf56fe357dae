-- Every candidate of the signed-in organisation with its screening result, and the funnel stage it
-- reached: found → screened → passed (score ≥ 70). A failed call is its own stage, never a score.
SELECT c.org, c.id, c.role, c.location,
       CASE WHEN s.status IS NULL THEN '1 found'
            WHEN s.status = 'failed' THEN 'x failed'
            WHEN s.score >= 70 THEN '3 passed'
            ELSE '2 screened' END AS stage,
       s.status, s.score, s.error, s.attempts,
       CAST(s.enriched_at AS DATE) AS screened_on
FROM candidates AS c
LEFT JOIN screening AS s ON s.id = c.id AND s.org = c.org
WHERE c.org = :tenant
