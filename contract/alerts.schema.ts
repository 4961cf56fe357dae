import { z } from 'zod';

/** Alert rules one member may hold (docs/exports.md, "Alerts"). */
export const MAX_ALERTS = 50;
/** An interval schedule may not check more often than this (minutes). */
export const MIN_ALERT_EVERY_MINUTES = 5;

const plainText = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine(
      (s) => ![...s].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127),
      'no control characters',
    );

export const ALERT_CONDITIONS = ['above', 'below', 'change'] as const;
export type AlertCondition = (typeof ALERT_CONDITIONS)[number];

/**
 * When a rule is checked: every N minutes (at least 5), or a five-field cron read in `timeZone`.
 * Exactly one of `everyMinutes` and `cron`.
 */
const scheduleFields = {
  everyMinutes: z
    .number()
    .int()
    .min(MIN_ALERT_EVERY_MINUTES)
    .max(7 * 24 * 60)
    .optional(),
  cron: plainText(100).optional(),
  timeZone: plainText(64).optional(),
};

/** A new rule: a dashboard's KPI widget by ids (never SQL), the member's filters, the condition. */
export const alertCreateBody = z
  .object({
    dashboard: plainText(200),
    widget: plainText(200),
    /** Filter id → value, as widget data takes them. */
    filters: z.record(z.string(), z.unknown()).optional(),
    condition: z.enum(ALERT_CONDITIONS),
    /** above/below: the value; change: the percentage (≥ 0) against the previous check. */
    threshold: z.number().finite(),
    ...scheduleFields,
    channel: z.enum(['email', 'webhook']),
    /** Webhook only: the http(s) URL (checked when saved and on every delivery). */
    url: z.string().max(2_000).optional(),
  })
  .strict();
export type AlertCreateBody = z.infer<typeof alertCreateBody>;

/**
 * A change: any of the condition, threshold, schedule, muting (`mutedUntil: null` unmutes), and the
 * channel (`url` for a webhook: checked as when made; a new URL gets a new signing key).
 */
export const alertUpdateBody = z
  .object({
    condition: z.enum(ALERT_CONDITIONS).optional(),
    threshold: z.number().finite().optional(),
    ...scheduleFields,
    /** ISO time until which transitions are recorded but not sent; null: not muted. */
    mutedUntil: z.string().datetime({ offset: true }).nullable().optional(),
    channel: z.enum(['email', 'webhook']).optional(),
    url: z.string().max(2_000).optional(),
  })
  .strict();
export type AlertUpdateBody = z.infer<typeof alertUpdateBody>;

export const alertEvent = z.object({
  id: z.string(),
  /** fire: ok → firing; resolve: firing → ok. */
  kind: z.enum(['fire', 'resolve']),
  value: z.number(),
  threshold: z.number(),
  /** The notification's status (muted: recorded, never sent). */
  status: z.enum(['pending', 'sending', 'sent', 'failed', 'muted']),
  attempts: z.number(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
});
export type AlertEvent = z.infer<typeof alertEvent>;

export const alertRule = z.object({
  id: z.string(),
  dashboard: z.string(),
  widget: z.string(),
  /** The KPI's title as the project names it now. */
  title: z.string(),
  filters: z.record(z.string(), z.unknown()),
  condition: z.enum(ALERT_CONDITIONS),
  threshold: z.number(),
  everyMinutes: z.number().nullable(),
  cron: z.string().nullable(),
  timeZone: z.string(),
  channel: z.enum(['email', 'webhook']),
  target: z.string(),
  state: z.enum(['ok', 'firing']),
  lastValue: z.number().nullable(),
  lastCheckedAt: z.string().nullable(),
  /** The last check's error code, if it could not read the value. */
  lastError: z.string().nullable(),
  nextCheckAt: z.string().nullable(),
  mutedUntil: z.string().nullable(),
  mine: z.boolean(),
  createdAt: z.string(),
});
export type AlertRule = z.infer<typeof alertRule>;

export const alertCreated = z.object({ alert: alertRule, webhookSecret: z.string().nullable() });
/** A change's answer: the rule, and a new webhook's signing secret this once (when the URL changed). */
export const alertUpdated = alertRule.extend({ webhookSecret: z.string().optional() });
export type AlertUpdated = z.infer<typeof alertUpdated>;
export const alertListResponse = z.object({ alerts: z.array(alertRule) });
export const alertHistoryResponse = z.object({ events: z.array(alertEvent) });
