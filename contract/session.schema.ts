import { z } from 'zod';
import { locale } from './locale.schema.js';

export const ROLES = ['viewer', 'editor', 'admin'] as const;
export const role = z.enum(ROLES);
export type Role = z.infer<typeof role>;

/** POST /api/v1/session. Lengths are capped so a huge password cannot cost a huge hash. */
export const loginRequest = z
  .object({
    email: z.string().trim().min(1).max(254),
    password: z.string().min(1).max(1024),
  })
  .strict();
export type LoginRequest = z.infer<typeof loginRequest>;

/** GET/POST /api/v1/session: who is signed in, where, and what the UI may offer them. */
export const sessionInfo = z.object({
  user: z.object({ id: z.string(), email: z.string() }),
  organisation: z.object({ id: z.string(), slug: z.string(), name: z.string() }),
  role,
  /** What this role may do; the UI hides what is not listed (the server checks again). */
  abilities: z.array(z.string()),
  /** The absolute end of the session (ISO 8601); it ends sooner after `idleTimeoutSeconds` without a request. */
  expiresAt: z.string(),
  idleTimeoutSeconds: z.number().int(),
  /** The UI language: the user's saved choice, else the best match of the request's Accept-Language. */
  locale,
  /**
   * Echo this in the `x-csrf-token` header of every POST/PUT/PATCH/DELETE (it is also in the readable
   * `trellis_csrf` cookie). Bound to this session; it changes when the session does.
   */
  csrfToken: z.string(),
  /** Present (true) only under `trellis dev`: the page listens to /api/v1/dev/events and reloads. */
  devReload: z.literal(true).optional(),
});
export type SessionInfo = z.infer<typeof sessionInfo>;
