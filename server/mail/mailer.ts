import type { MailConfig } from '../config/env.js';

export type { MailConfig };

/** A plain-text message; links in it are built from TRELLIS_PUBLIC_URL, never from a request's Host. */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** Files sent with it (a scheduled report), held in memory: bounded by their producer. */
  readonly attachments?: readonly {
    readonly filename: string;
    readonly content: Buffer;
    readonly contentType: string;
  }[];
  /**
   * A fixed Message-ID (`<…@…>`): a scheduled report's delivery id, so a resend after a crash is the
   * same message to the receiving side.
   */
  readonly messageId?: string;
}

/** The seam for outgoing e-mail (invitations, password reset links). */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

/**
 * nodemailer over SMTP with bounded waits: a mail server that does not answer fails the send within
 * seconds (MAIL_FAILED), rather than holding a request for nodemailer's default two minutes.
 * nodemailer is loaded here, only when SMTP is configured (~4 MB of heap a server without it never needs).
 */
export async function smtpMailer(config: MailConfig): Promise<Mailer> {
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport({
    url: config.smtpUrl,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    async send(message) {
      await transport.sendMail({
        from: config.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        ...(message.attachments ? { attachments: message.attachments.map((a) => ({ ...a })) } : {}),
        ...(message.messageId ? { messageId: message.messageId } : {}),
      });
    },
    close: () => transport.close(),
  };
}
