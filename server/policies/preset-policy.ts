import type { Role } from '../../contract/session.schema.js';
import { TrellisError } from '../errors.js';
import { roleHas } from './roles.js';

/** A saved filter preset as the policy sees it: whose it is and whether the organisation shares it. */
export interface PresetFacts {
  readonly organisationId: string;
  readonly ownerId: string;
  readonly shared: boolean;
}

/** The caller, from the session: organisation, user and role. */
export interface PresetCaller {
  readonly organisationId: string;
  readonly userId: string;
  readonly role: Role;
}

/**
 * Who sees a preset: members of its organisation, if it is theirs or shared. Another organisation's
 * preset is invisible (the service answers PRESET_NOT_FOUND, exactly as for an id that never
 * existed, so there is no existence oracle); tenant first, as every rule.
 */
export function maySeePreset(caller: PresetCaller, preset: PresetFacts): boolean {
  if (preset.organisationId !== caller.organisationId) return false;
  return preset.shared || preset.ownerId === caller.userId;
}

/** Sharing with the organisation is for those who shape dashboards: editors and admins. */
export function mayShare(caller: PresetCaller): boolean {
  return roleHas(caller.role, 'dashboards:edit');
}

/**
 * Who may rename, re-save or delete a visible preset: its owner, or an admin of the organisation for
 * a shared one (someone must be able to tidy the shared list after its author left).
 */
export function mayChangePreset(caller: PresetCaller, preset: PresetFacts): boolean {
  if (!maySeePreset(caller, preset)) return false;
  if (preset.ownerId === caller.userId) return true;
  return preset.shared && roleHas(caller.role, 'organisation:manage');
}

/** Throws the answer for a preset the caller may not change (FORBIDDEN only when they can see it). */
export function assertMayChangePreset(caller: PresetCaller, preset: PresetFacts): void {
  if (!maySeePreset(caller, preset)) throw new TrellisError('PRESET_NOT_FOUND');
  if (!mayChangePreset(caller, preset))
    throw new TrellisError('FORBIDDEN', {
      message: 'Only whoever saved this preset (or an admin, for a shared one) can change it.',
      detail: { reason: 'preset_owner' },
    });
}

export function assertMayShare(caller: PresetCaller): void {
  if (!mayShare(caller))
    throw new TrellisError('FORBIDDEN', {
      message: 'Only editors and admins can share presets with the organisation.',
      detail: { reason: 'role', role: caller.role, ability: 'dashboards:edit' },
    });
}
