import { z } from 'zod';

/** The one error body every failing API call returns. Codes are listed in docs/errors.md. */
export const errorBody = z.object({
  error: z.string(),
  message: z.string(),
  requestId: z.string(),
  /** Field-level problems for VALIDATION_FAILED and INVALID_FILTER_VALUE; user-safe. */
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type ErrorBody = z.infer<typeof errorBody>;
