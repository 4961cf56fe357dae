import { z } from 'zod';

/** Subscriptions one member may hold (docs/exports.md, "Scheduled reports"). */
export const MAX_SUBSCRIPTIONS = 50;

const plainText = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine(
      (s) => ![...s].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127),
      'no control characters',
    );

/** A new subscription: the dashboard (and for CSV its widget), the saved filters, when, how, where. */
export const subscriptionCreateBody = z
  .object({
    dashboard: plainText(200),
    /** CSV only: the widget whose rows are sent. */
    widget: plainText(200).optional(),
    format: z.enum(['pdf', 'csv']),
    /** PDF: the filter part of the dashboard's address (`?status=COMPLETED`), as the PDF menu sends it. */
    query: z.string().max(8_000).optional(),
    /** CSV: filter id → value, as a widget export takes them. */
    filters: z.record(z.string(), z.unknown()).optional(),
    /**
     * Instead of `query` / `filters`: a saved preset of this dashboard (the subscriber's own or one
     * shared in their organisation), whose filters are read at every delivery.
     */
    preset: z.string().max(100).optional(),
    /** Five-field cron, read in `timeZone`. */
    schedule: plainText(100),
    timeZone: plainText(64),
    channel: z.enum(['email', 'webhook']),
    /** Webhook only: the http(s) URL (checked when saved and on every delivery). E-mail goes to the member. */
    url: z.string().max(2_000).optional(),
  })
  .strict();
export type SubscriptionCreateBody = z.infer<typeof subscriptionCreateBody>;

/**
 * An edit (PATCH): any of the create fields but the dashboard. Filters given (`preset`, `query` or
 * `filters`) replace the saved ones as a whole; the result is checked as a new subscription is. A
 * webhook `url` (or a change to webhook) gets a new signing secret, answered once.
 */
export const subscriptionUpdateBody = subscriptionCreateBody.omit({ dashboard: true }).partial().strict();
export type SubscriptionUpdateBody = z.infer<typeof subscriptionUpdateBody>;

export const reportDelivery = z.object({
  id: z.string(),
  /** The schedule tick it is for. */
  tick: z.string(),
  status: z.enum(['pending', 'sending', 'sent', 'failed']),
  attempts: z.number(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  bytes: z.number().nullable(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
});
export type ReportDelivery = z.infer<typeof reportDelivery>;

export const subscription = z.object({
  id: z.string(),
  dashboard: z.string(),
  widget: z.string().nullable(),
  format: z.enum(['pdf', 'csv']),
  query: z.string().nullable(),
  filters: z.record(z.string(), z.unknown()).nullable(),
  /**
   * The saved preset whose filters each delivery uses (null: its own query/filters). Optional on the
   * wire type so clients and fixtures written before presets stay valid; the server always sends it.
   */
  preset: z.string().nullable().optional(),
  schedule: z.string(),
  timeZone: z.string(),
  channel: z.enum(['email', 'webhook']),
  /** The e-mail address or the webhook URL. */
  target: z.string(),
  status: z.enum(['active', 'paused']),
  nextRunAt: z.string().nullable(),
  mine: z.boolean(),
  lastDelivery: reportDelivery.nullable(),
  createdAt: z.string(),
});
export type Subscription = z.infer<typeof subscription>;

/** The create answer: the webhook's signing secret is shown this once. */
export const subscriptionCreated = z.object({
  subscription,
  webhookSecret: z.string().nullable(),
});
export type SubscriptionCreated = z.infer<typeof subscriptionCreated>;

export const subscriptionListResponse = z.object({ subscriptions: z.array(subscription) });
export const deliveryListResponse = z.object({ deliveries: z.array(reportDelivery) });
