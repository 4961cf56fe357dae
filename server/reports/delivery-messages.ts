import type { Locale } from '../../contract/locale.js';

/**
 * The texts of alert and report messages (e-mail subject and body, a webhook's summary) in the
 * recipient's language: their saved choice (user_settings, docs/dashboards.md#language), English
 * when they made none. Adding a language adds an entry here (the `Record<Locale, …>` type asks for it).
 */
interface DeliveryTexts {
  readonly number: (value: string) => string;
  readonly above: (threshold: string) => string;
  readonly below: (threshold: string) => string;
  readonly change: (threshold: string) => string;
  readonly fire: (title: string, value: string, condition: string) => string;
  readonly resolve: (title: string, value: string, condition: string) => string;
  readonly alertBody: (subject: string, link: string, manage: string) => string;
  readonly reportSubject: (dashboard: string, when: string) => string;
  readonly reportBody: (dashboard: string, file: string, link: string, manage: string) => string;
}

const TEXTS: Record<Locale, DeliveryTexts> = {
  en: {
    number: (v) => v,
    above: (t) => `above ${t}`,
    below: (t) => `below ${t}`,
    change: (t) => `changed by ${t}% or more`,
    fire: (title, value, condition) => `Alert: ${title} is ${value}, ${condition}`,
    resolve: (title, value, condition) => `Resolved: ${title} is ${value}, no longer ${condition}`,
    alertBody: (subject, link, manage) =>
      `${subject}.\n\nDashboard: ${link}\nManage your alerts: ${manage}\n`,
    reportSubject: (dashboard, when) => `Trellis report: ${dashboard} (${when} UTC)`,
    reportBody: (dashboard, file, link, manage) =>
      `Your scheduled report of the dashboard "${dashboard}" is attached (${file}).\n\n` +
      `Open the dashboard: ${link}\nManage your subscriptions: ${manage}\n`,
  },
  de: {
    // A decimal comma; no grouping, as in English (a threshold is read, not summed).
    number: (v) => v.replace('.', ','),
    above: (t) => `über ${t}`,
    below: (t) => `unter ${t}`,
    change: (t) => `um ${t} % oder mehr verändert`,
    fire: (title, value, condition) => `Alarm: ${title} ist ${value}, ${condition}`,
    resolve: (title, value, condition) => `Entwarnung: ${title} ist ${value}, nicht mehr ${condition}`,
    alertBody: (subject, link, manage) =>
      `${subject}.\n\nDashboard: ${link}\nIhre Alarme verwalten: ${manage}\n`,
    reportSubject: (dashboard, when) => `Trellis-Bericht: ${dashboard} (${when} UTC)`,
    reportBody: (dashboard, file, link, manage) =>
      `Ihr geplanter Bericht des Dashboards „${dashboard}“ ist angehängt (${file}).\n\n` +
      `Dashboard öffnen: ${link}\nIhre Abonnements verwalten: ${manage}\n`,
  },
};

export interface AlertMessageInput {
  readonly kind: 'fire' | 'resolve';
  readonly title: string;
  readonly condition: 'above' | 'below' | 'change';
  /** Already formatted with formatAlertValue (the language only changes the decimal mark). */
  readonly value: string;
  readonly threshold: string;
  readonly link: string;
  readonly manage: string;
}

/** "Alert: Orders is 123, above 100" / "Resolved: Orders is 80, no longer above 100". */
export function alertMessage(locale: Locale, m: AlertMessageInput): { subject: string; text: string } {
  const t = TEXTS[locale];
  const threshold = t.number(m.threshold);
  const condition = t[m.condition](threshold);
  const subject = t[m.kind](m.title, t.number(m.value), condition);
  return { subject, text: t.alertBody(subject, m.link, m.manage) };
}

export function reportMessage(
  locale: Locale,
  m: { dashboard: string; when: string; file: string; link: string; manage: string },
): { subject: string; text: string } {
  const t = TEXTS[locale];
  return {
    subject: t.reportSubject(m.dashboard, m.when),
    text: t.reportBody(m.dashboard, m.file, m.link, m.manage),
  };
}
