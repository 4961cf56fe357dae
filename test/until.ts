/**
 * Polls until `check` holds (background work: queues, workers, other processes), failing with `what`
 * after `timeoutMs`. Returns the first truthy value `check` gave.
 */
export async function until<T>(
  check: () => T | Promise<T>,
  timeoutMs = 15_000,
  what = 'a condition',
): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
