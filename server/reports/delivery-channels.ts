import { randomBytes } from 'node:crypto';
import { isIP, type BlockList } from 'node:net';
import { TrellisError } from '../errors.js';
import type { Mailer, MailMessage } from '../mail/mailer.js';
import { withRetry, type RetryPolicy } from '../resilience/retry.js';
import { mayConnect } from './webhook-address.js';
import {
  assertWebhookAllowed,
  checkWebhookUrl,
  postWebhook,
  signWebhook,
  type Resolver,
  type WebhookClientOptions,
} from './webhook-client.js';

export type DeliveryChannel = 'email' | 'webhook';

export interface DeliveryChannelsOptions {
  /** Outgoing e-mail (undefined: e-mail deliveries are refused) and where its links point. */
  readonly mail: { readonly mailer: Mailer; readonly publicOrigin: string } | undefined;
  readonly webhook: { readonly allow: BlockList; readonly resolve?: Resolver; readonly timeoutMs?: number };
  readonly now: () => number;
}

/** A few quick tries inside one job attempt (the one backoff module); the job's own attempts follow. */
const WEBHOOK_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 500, maxDelayMs: 5_000 };

/**
 * The two ways a scheduled message leaves Trellis — e-mail and signed webhook — for alerts and
 * reports alike (docs/exports.md#webhooks): where a member's target is checked when saved, checked
 * again before every delivery (a name may now resolve to loopback), and sent.
 */
export class DeliveryChannels {
  constructor(private readonly options: DeliveryChannelsOptions) {}

  /** Where links in messages point (the configured public URL). */
  get publicOrigin(): string {
    return this.options.mail?.publicOrigin ?? 'http://localhost/';
  }

  /**
   * The target of a new or changed channel: the member's own address for e-mail, or their webhook
   * URL (with a fresh HMAC key). A literal special address is refused now; a name is judged again
   * after DNS on every delivery (names change).
   */
  target(
    channel: DeliveryChannel,
    url: string | undefined,
    email: string,
  ): { target: string; secret: string | null } {
    if (channel === 'email') {
      if (!this.options.mail) throw new TrellisError('REPORT_MAIL_UNAVAILABLE');
      return { target: email, secret: null };
    }
    if (!url) throw new TrellisError('WEBHOOK_URL_FORBIDDEN', { detail: { why: 'no url' } });
    const parsed = checkWebhookUrl(url);
    const host = parsed.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0 && !mayConnect(host, this.options.webhook.allow))
      throw new TrellisError('WEBHOOK_URL_FORBIDDEN', { detail: { why: 'special address', host } });
    return { target: parsed.toString(), secret: randomBytes(32).toString('base64url') };
  }

  /** Before any work for a delivery: a webhook target it may not reach now fails (a refusal, final). */
  async assertReachable(channel: DeliveryChannel, target: string): Promise<void> {
    if (channel === 'webhook') await assertWebhookAllowed(target, this.webhookOptions());
  }

  /** One e-mail with a fixed Message-ID (a resend after a crash is the same message). */
  async sendMail(
    message: MailMessage & { readonly messageId: string },
    detail: Record<string, unknown>,
  ): Promise<void> {
    const mail = this.options.mail;
    if (!mail) throw new TrellisError('REPORT_MAIL_UNAVAILABLE');
    try {
      await mail.mailer.send(message);
    } catch (err) {
      throw new TrellisError('MAIL_FAILED', { cause: err, detail });
    }
  }

  /**
   * One signed JSON POST, its delivery id in `X-Trellis-Delivery`; transient failures (no answer,
   * 5xx, 408, 429) tried again a few times with backoff, any other status final (WEBHOOK_FAILED).
   */
  async postSigned(
    target: string,
    secret: string | null,
    deliveryId: string,
    body: string,
    signal: AbortSignal,
  ): Promise<void> {
    const send = async () => {
      const timestamp = Math.floor(this.options.now() / 1000);
      const result = await postWebhook(
        target,
        body,
        {
          'x-trellis-delivery': deliveryId,
          'x-trellis-timestamp': String(timestamp),
          'x-trellis-signature': signWebhook(secret ?? '', timestamp, body),
        },
        this.webhookOptions(),
        signal,
      );
      if (result.status < 200 || result.status >= 300) {
        const transient = result.status >= 500 || result.status === 408 || result.status === 429;
        throw new TrellisError('WEBHOOK_FAILED', { detail: { status: result.status, transient } });
      }
    };
    await withRetry(
      send,
      (err) => err instanceof TrellisError && err.code === 'WEBHOOK_FAILED' && isTransient(err),
      WEBHOOK_RETRY,
      signal,
    );
  }

  private webhookOptions(): WebhookClientOptions {
    const { webhook } = this.options;
    return {
      allow: webhook.allow,
      ...(webhook.resolve ? { resolve: webhook.resolve } : {}),
      ...(webhook.timeoutMs ? { timeoutMs: webhook.timeoutMs } : {}),
    };
  }
}

function isTransient(err: TrellisError): boolean {
  // Failures to connect have no status: transient. A 4xx other than 408/429 will not change.
  return err.detail?.transient !== false;
}
