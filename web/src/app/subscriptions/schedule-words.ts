/**
 * A five-field cron schedule in words for the Subscriptions page ("Every day at 08:00"). Only the
 * shapes the Subscribe presets make (and plain variants) are put in words; anything else is shown as
 * the cron text itself, which is still exact.
 */
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const num = (s: string, max: number): number | null =>
  /^\d{1,2}$/.test(s) && Number(s) <= max ? Number(s) : null;

export function scheduleInWords(cron: string): string {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) return cron;
  const [min, hour, dom, month, dow] = fields as [string, string, string, string, string];
  const m = num(min, 59);
  if (m === null || month !== '*') return cron;
  if (hour === '*' && dom === '*' && dow === '*') return `Every hour at minute ${m}`;
  const h = num(hour, 23);
  if (h === null) return cron;
  const at = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
  if (dom === '*' && dow === '*') return `Every day at ${at}`;
  if (dom === '*' && (dow === '1-5' || dow === 'MON-FRI')) return `Every weekday at ${at}`;
  const d = num(dow, 7);
  if (dom === '*' && d !== null) return `Every ${DAYS[d % 7]} at ${at}`;
  const day = num(dom, 31);
  if (dow === '*' && day !== null && day >= 1) return `Monthly on day ${day} at ${at}`;
  return cron;
}
