import { mkdtemp, readFile, readdir, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { xlsxToCsv, type XlsxLimits } from './xlsx-to-csv.js';

const LIMITS: XlsxLimits = {
  maxInflatedBytes: 64 * 1024 * 1024,
  maxSharedStringsBytes: 16 * 1024 * 1024,
  maxRows: 100_000,
  maxColumns: 100,
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trellis-xlsx-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * exceljs's streaming writer puts every sheet before the shared strings: the order that made
 * exceljs's reader (used for uploads before our own) park each sheet in a temp file, where a
 * skipped sheet once raced its temp file's deletion (an uncaught ENOENT). Our reader reads the
 * shared strings first by the zip's directory and never writes a temp file; this test keeps both
 * true.
 */
async function sheetsFirstWorkbook(file: string, sheets: number, rows: number): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true });
  for (let s = 1; s <= sheets; s++) {
    const ws = wb.addWorksheet(`Sheet ${s}`);
    ws.addRow(['Sponsor', 'Target']).commit();
    for (let r = 1; r <= rows; r++) ws.addRow([`Sponsor ${s}-${r}`, s * 1000 + r]).commit();
    ws.commit();
  }
  await wb.commit();
}

describe('xlsxToCsv with sheets parked in temp files', () => {
  test('picking the last sheet reads the skipped ones through; every temp file is gone after', async () => {
    const before = new Set((await readdir(tmpdir())).filter((f) => f.startsWith('tmp-')));
    for (let i = 0; i < 10; i++) {
      const file = join(dir, `book-${i}.xlsx`);
      await sheetsFirstWorkbook(file, 3, 200);
      const converted = await xlsxToCsv(file, 'sheet 3', LIMITS);
      expect(converted).toEqual({ sheet: 'Sheet 3', sheets: ['Sheet 1', 'Sheet 2', 'Sheet 3'], rows: 200 });
      const csv = (await readFile(file, 'utf8')).trimEnd().split('\n');
      expect(csv[0]).toBe('"Sponsor","Target"');
      expect(csv[1]).toBe('"Sponsor 3-1","3001"');
      expect(csv).toHaveLength(201);
    }
    const left = (await readdir(tmpdir())).filter((f) => f.startsWith('tmp-') && !before.has(f));
    expect(left).toEqual([]);
    // A skipped sheet's read stream, opened but never read, would hold its deleted file open.
    expect(await openTempFiles()).toEqual([]);
  });
});

/** Temp files (exceljs's, named tmp-…) this process still holds open; Linux's /proc tells. */
async function openTempFiles(): Promise<string[]> {
  const held: string[] = [];
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (target.includes('/tmp-')) held.push(target);
  }
  return held;
}
