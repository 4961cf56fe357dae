-- The signed-in organisation's candidates whose screening call finally failed, with the reason.
SELECT s.org, s.id, c.role, c.location, s.error, s.attempts, s.enriched_at
FROM screening AS s
JOIN candidates AS c ON c.id = s.id AND c.org = s.org
WHERE s.org = :tenant AND s.status = 'failed'
