-- Enrollment success: how fast each study enrolled against a benchmark, and a composite score.
-- Every number that shapes the score is a parameter declared in datasets/enrollment_success.yaml.
--
--   rate        = enrollment / months from start to primary completion
--   tier        = Exceeded (>= 1.2 x benchmark), Met (>= 1.0), Below (>= 0.5), Significantly below
--   composite   = w_enrollment x enrollment score (min(100, 100 x rate / benchmark))
--               + w_status     x status score (by overall status, table below)
--               + w_temporal   x temporal score (100 when on time, minus late_penalty per month late)
--               + w_complete   x data completeness (share of ten key fields present, x 100)
WITH timed AS (
  SELECT
    s.*,
    CASE
      WHEN s.start_date IS NOT NULL AND s.primary_completion_date > s.start_date
      THEN date_diff('day', s.start_date, s.primary_completion_date) / 30.4375
    END AS months
  FROM studies AS s
  WHERE s.org = :tenant -- the signed-in organisation's studies only, before anything else
),
scored AS (
  SELECT
    t.*,
    t.enrollment / NULLIF(t.months, 0) AS rate,
    CASE t.overall_status
      WHEN 'COMPLETED' THEN 100
      WHEN 'ACTIVE_NOT_RECRUITING' THEN 85
      WHEN 'RECRUITING' THEN 60
      WHEN 'ENROLLING_BY_INVITATION' THEN 60
      WHEN 'NOT_YET_RECRUITING' THEN 40
      WHEN 'SUSPENDED' THEN 20
      WHEN 'UNKNOWN' THEN 10
      ELSE 0 -- TERMINATED, WITHDRAWN and anything unrecognised
    END AS status_score,
    -- On time: the primary completion is actual, or estimated and not yet due on the as-of date.
    -- Late: estimated and already past due; each month overdue costs late_penalty points.
    CASE
      WHEN t.overall_status IN ('TERMINATED', 'WITHDRAWN') THEN 0
      WHEN t.primary_completion_date IS NULL THEN NULL
      WHEN t.primary_completion_type = 'ACTUAL' OR t.primary_completion_date >= :as_of THEN 100
      ELSE greatest(0, 100 - :late_penalty * date_diff('day', t.primary_completion_date, :as_of) / 30.4375)
    END AS temporal_score,
    100.0 * (
      (t.start_date IS NOT NULL)::INTEGER + (t.primary_completion_date IS NOT NULL)::INTEGER
      + (t.enrollment IS NOT NULL)::INTEGER + (t.phase IS NOT NULL)::INTEGER
      + (t.lead_sponsor IS NOT NULL)::INTEGER + (t.sponsor_class IS NOT NULL)::INTEGER
      + (t.brief_summary IS NOT NULL)::INTEGER + (coalesce(t.condition_count, 0) > 0)::INTEGER
      + (coalesce(t.intervention_count, 0) > 0)::INTEGER + (coalesce(t.location_count, 0) > 0)::INTEGER
    ) / 10 AS completeness_score
  FROM timed AS t
)
SELECT
  org, nct_id, brief_title, overall_status, phase, study_type, lead_sponsor, sponsor_class, start_date,
  primary_completion_date, enrollment, months, rate,
  CASE
    WHEN rate IS NULL THEN 'Not assessable'
    WHEN rate >= 1.2 * :benchmark THEN 'Exceeded'
    WHEN rate >= 1.0 * :benchmark THEN 'Met'
    WHEN rate >= 0.5 * :benchmark THEN 'Below'
    ELSE 'Significantly below'
  END AS tier,
  least(100, 100 * coalesce(rate, 0) / :benchmark) AS enrollment_score,
  status_score,
  temporal_score,
  completeness_score,
  :w_enrollment * least(100, 100 * coalesce(rate, 0) / :benchmark)
    + :w_status * status_score
    + :w_temporal * coalesce(temporal_score, 0)
    + :w_complete * completeness_score AS composite
FROM scored
