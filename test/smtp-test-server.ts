import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server for tests (smtp-server, parsed by mailparser) that counts the messages it
 * ACCEPTED. As RFC 5321 §4.1.1.4 has it, a server takes a message on when it answers the end of
 * DATA with 250; a client gone before that answer leaves a message the server drops. `hold()` makes
 * the server wait before that answer (to kill a sender mid-delivery); a held message whose client
 * has gone when it is released is dropped, not counted.
 */
export interface SmtpTestServer {
  readonly port: number;
  readonly url: string;
  readonly accepted: ParsedMail[];
  /** Messages whose DATA arrived, accepted or not. */
  readonly arrived: number;
  /** Messages dropped because their client went away before the 250 reply. */
  readonly dropped: number;
  /** Held messages whose client has gone (they will be dropped on release). */
  readonly heldGone: number;
  /** From now on, each message waits at end of DATA until `release()`. */
  hold(): void;
  release(): void;
  /** Resolves once a message (held or not) has fully arrived. */
  nextArrival(): Promise<void>;
  close(): Promise<void>;
}

export async function startSmtpTestServer(): Promise<SmtpTestServer> {
  const accepted: ParsedMail[] = [];
  let arrived = 0;
  let dropped = 0;
  let holding = false;
  let waiters: (() => void)[] = [];
  let held: { session: string; answer: () => void }[] = [];
  const closedSessions = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onClose(session) {
      closedSessions.add(session.id);
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          arrived++;
          for (const w of waiters.splice(0)) w();
          const answer = () => {
            if (closedSessions.has(session.id)) {
              dropped++;
              callback(new Error('client gone'));
              return;
            }
            accepted.push(mail);
            callback();
          };
          if (holding) held.push({ session: session.id, answer });
          else answer();
        },
        (err: Error) => callback(err),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    accepted,
    get arrived() {
      return arrived;
    },
    get dropped() {
      return dropped;
    },
    get heldGone() {
      return held.filter((h) => closedSessions.has(h.session)).length;
    },
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      const pending = held;
      held = [];
      for (const h of pending) h.answer();
    },
    nextArrival: () => new Promise<void>((resolve) => waiters.push(resolve)),
    close: () => {
      waiters = [];
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The first recipient and the text of each message a test server accepted, in arrival order. */
export function acceptedMails(server: SmtpTestServer): { to: string; text: string }[] {
  return server.accepted.map((m) => ({
    to: (Array.isArray(m.to) ? m.to[0]?.text : m.to?.text) ?? '',
    text: m.text ?? '',
  }));
}
