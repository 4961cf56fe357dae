/**
 * Preloaded into a measured process (`node --import …/peak-rss-reporter.js`): on exit it writes the
 * process's peak resident set (VmHWM, Linux) to stderr as `peak-rss-kib N`, so a benchmark reads the
 * true peak of a process that has already ended instead of the last sample it happened to take.
 */
import { readFileSync, writeSync } from 'node:fs';

process.on('exit', () => {
  try {
    const kib = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kib) writeSync(2, `peak-rss-kib ${kib}\n`);
  } catch {
    // Not Linux: no /proc. The benchmark reports the figure as missing.
    writeSync(2, 'peak-rss-kib unknown\n');
  }
});
