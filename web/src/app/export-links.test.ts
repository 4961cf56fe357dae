import { describe, expect, test } from 'vitest';
import { EXPORT_CHOICES, exportChoicesFor, exportUrl } from './export-links.js';

describe('exportUrl', () => {
  test('format, filters as JSON and the sort travel in the query string', () => {
    const url = new URL(
      exportUrl(
        'over view',
        'by/status',
        { format: 'csv', bom: true },
        { status: ['A&B'] },
        { column: 'id', direction: 'desc' },
      ),
      'http://x',
    );
    expect(url.pathname).toBe('/api/v1/dashboards/over%20view/widgets/by%2Fstatus/export');
    expect(url.searchParams.get('format')).toBe('csv');
    expect(url.searchParams.get('bom')).toBe('true');
    expect(JSON.parse(url.searchParams.get('filters') ?? '')).toEqual({ status: ['A&B'] });
    expect(url.searchParams.get('sort')).toBe('id');
    expect(url.searchParams.get('direction')).toBe('desc');
  });

  test('no filters, no sort, no BOM: nothing extra', () => {
    const url = new URL(exportUrl('d', 'w', { format: 'xlsx' }, {}), 'http://x');
    expect([...url.searchParams.keys()]).toEqual(['format']);
  });

  test('every server format is offered', () => {
    expect(new Set(EXPORT_CHOICES.map((c) => c.format))).toEqual(
      new Set(['csv', 'xlsx', 'parquet', 'json', 'ndjson']),
    );
  });
});

describe('exportChoicesFor', () => {
  test("only the formats the widget's source writes: no Parquet on a server engine", () => {
    const formats = exportChoicesFor({ exportFormats: ['csv', 'xlsx', 'json', 'ndjson'] }).map(
      (c) => c.format,
    );
    expect(formats).not.toContain('parquet');
    expect(formats).toEqual(['csv', 'csv', 'xlsx', 'json', 'ndjson']);
    expect(exportChoicesFor({ exportFormats: ['csv', 'xlsx', 'parquet', 'json', 'ndjson'] })).toHaveLength(6);
  });

  test('a definition without the list offers the row formats only', () => {
    expect(exportChoicesFor({}).map((c) => c.format)).not.toContain('parquet');
  });
});
