import { afterEach, describe, expect, it } from 'vitest';
import { CtgovReplayServer } from '../../../test/ctgov-replay-server.js';
import { mapStudy } from '../../../examples/clinical-trials/transforms/ctgov-study.js';

// The replay server stands in for ClinicalTrials.gov in the pipeline tests: it must page, count and
// fail like the real API, or those tests prove nothing.
let server: CtgovReplayServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface Page {
  totalCount?: number;
  studies: unknown[];
  nextPageToken?: string;
}

async function get(url: string): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(url);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('ctgov replay server', () => {
  it('pages every study once in the API v2 shape, with totalCount on the first page only', async () => {
    server = await CtgovReplayServer.start({ studies: 95 });
    const ids: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const url = `${server.url}?format=json&pageSize=20&countTotal=true${token ? `&pageToken=${token}` : ''}`;
      const r = await get(url);
      expect(r.status).toBe(200);
      const page = JSON.parse(r.text) as Page;
      if (pages === 0) expect(page.totalCount).toBe(95);
      else expect(page.totalCount).toBeUndefined();
      for (const s of page.studies) {
        const m = mapStudy(s);
        if (!m.ok) throw new Error('replayed study without nctId');
        ids.push(m.nctId);
      }
      token = page.nextPageToken;
      pages++;
    } while (token);
    expect(pages).toBe(5);
    expect(ids).toHaveLength(95);
    expect(new Set(ids).size).toBe(95);
  });

  it('answers the injected faults: 429 with Retry-After, 500, malformed JSON, then the page', async () => {
    server = await CtgovReplayServer.start({
      studies: 30,
      faults: [
        { kind: '429', page: 1, retryAfterSeconds: 7 },
        { kind: '500', page: 1 },
        { kind: 'malformed', page: 1 },
      ],
    });
    const url = `${server.url}?pageSize=10`;
    const first = await get(url);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('7');
    expect((await get(url)).status).toBe(500);
    const malformed = await get(url);
    expect(malformed.status).toBe(200);
    expect(() => JSON.parse(malformed.text)).toThrow();
    const ok = await get(url);
    expect((JSON.parse(ok.text) as Page).studies).toHaveLength(10);
    expect(server.requestsFor(1).map((r) => r.fault)).toEqual(['429', '500', 'malformed', null]);
  });

  it('drops the connection mid-body (truncated) and rejects expired or foreign tokens', async () => {
    server = await CtgovReplayServer.start({
      studies: 30,
      tokenTtlMs: 50,
      faults: [{ kind: 'truncated', page: 1 }],
    });
    await expect(fetch(`${server.url}?pageSize=10`).then((r) => r.text())).rejects.toThrow();
    const page = JSON.parse((await get(`${server.url}?pageSize=10`)).text) as Page;
    expect(page.nextPageToken).toBeTruthy();
    await new Promise((r) => setTimeout(r, 80));
    const expired = await get(`${server.url}?pageSize=10&pageToken=${page.nextPageToken}`);
    expect(expired.status).toBe(400);
    expect(expired.text).toMatch(/expired/);
    expect((await get(`${server.url}?pageToken=nonsense`)).status).toBe(400);
  });

  it('filters by last update date like filter.advanced=AREA[LastUpdatePostDate]RANGE[d,MAX]', async () => {
    server = await CtgovReplayServer.start({ studies: 200 });
    server.update([3, 150], (i) => `Updated ${i}`, '2030-01-02');
    const r = await get(
      `${server.url}?pageSize=50&countTotal=true&filter.advanced=AREA[LastUpdatePostDate]RANGE[2030-01-01,MAX]`,
    );
    const page = JSON.parse(r.text) as Page;
    expect(page.totalCount).toBe(2);
    expect(
      page.studies.map((s) => (mapStudy(s).ok ? (mapStudy(s) as { nctId: string }).nctId : '')),
    ).toHaveLength(2);
  });
});
