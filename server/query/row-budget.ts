import type { Cell } from '../../contract/index.js';
import { TrellisError } from '../errors.js';

/**
 * Collects result rows as they stream in, within a query's row and byte limits. The row past the
 * limit is refused with RESULT_TOO_LARGE (compiled queries ask for maxRows + 1 rows so that overflow
 * shows), never silently dropped; the engine then stops the statement.
 */
export class RowBudget {
  readonly rows: Cell[][] = [];
  private bytes = 0;

  constructor(
    private readonly limits: { readonly maxRows: number; readonly maxBytes: number },
    private readonly sql: string,
  ) {}

  /** Adds a row, or returns the error that ends the query when it would exceed a limit. */
  add(row: Cell[]): TrellisError | undefined {
    this.bytes += approximateBytes(row);
    if (this.rows.length >= this.limits.maxRows)
      return new TrellisError('RESULT_TOO_LARGE', {
        detail: { maxRows: this.limits.maxRows, sql: this.sql },
      });
    if (this.bytes > this.limits.maxBytes)
      return new TrellisError('RESULT_TOO_LARGE', {
        detail: { maxBytes: this.limits.maxBytes, sql: this.sql },
      });
    this.rows.push(row);
    return undefined;
  }
}

/** A cheap upper-bound estimate of a row's size as JSON, to bound responses before serialising. */
export function approximateBytes(row: readonly Cell[]): number {
  let n = 2;
  for (const v of row) n += typeof v === 'string' ? v.length + 3 : 8;
  return n;
}
