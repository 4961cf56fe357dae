import { z } from 'zod';

/** At most this many problems travel to the browser (the terminal prints them all). */
export const MAX_DEV_PROBLEMS = 50;

/**
 * `trellis dev` only: sent on `GET /api/v1/dev/events` (server-sent events named `project`) when the
 * stream opens and after every re-check of the project's files. `version` grows by one each time a
 * changed project was swapped in (the page refetches definitions and data); `problems` is empty
 * when the files check, else the first MAX_DEV_PROBLEMS of them while the last good project serves.
 */
export const devProjectStatus = z.object({
  version: z.number().int().min(1),
  problems: z.array(z.object({ file: z.string(), line: z.number().int(), message: z.string() })),
  /** How many problems there were in all (more than `problems.length` when capped). */
  problemCount: z.number().int().min(0),
});
export type DevProjectStatus = z.infer<typeof devProjectStatus>;
