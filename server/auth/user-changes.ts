import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/database.types.js';

type Trx = Transaction<Database> | Kysely<Database>;

/**
 * The user changes the CLI and the admin API share, inside the caller's transaction. Disabling and
 * a new password end every session of the user (on every instance: sessions are read per request)
 * and revoke their API tokens, so the old credentials stop working at once.
 */
export async function revokeCredentials(trx: Trx, userId: string, at: number): Promise<number> {
  const sessions = await trx
    .updateTable('sessions')
    .set({ revoked_at: at })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  await trx
    .updateTable('api_tokens')
    .set({ revoked_at: at })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
  return Number(sessions.numUpdatedRows);
}

export async function setDisabled(
  trx: Trx,
  userId: string,
  disabled: boolean,
  at: number,
): Promise<{ changed: boolean; revokedSessions: number }> {
  const updated = await trx
    .updateTable('users')
    .set({ disabled_at: disabled ? at : null })
    .where('id', '=', userId)
    .where('disabled_at', disabled ? 'is' : 'is not', null)
    .executeTakeFirst();
  const revokedSessions = disabled ? await revokeCredentials(trx, userId, at) : 0;
  return { changed: Number(updated.numUpdatedRows) > 0, revokedSessions };
}

export async function setPasswordHash(
  trx: Trx,
  userId: string,
  passwordHash: string,
  at: number,
): Promise<number> {
  await trx.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
  return revokeCredentials(trx, userId, at);
}
