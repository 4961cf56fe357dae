import type { Role } from '../../../../contract/index.js';
import { ROLE_ORDER, roleLabel } from '../../app/accounts/abilities.js';

export function RoleSelect(props: {
  id: string;
  value: Role;
  onChange: (role: Role) => void;
  disabled?: boolean;
  label?: string;
}) {
  return (
    <select
      id={props.id}
      value={props.value}
      disabled={props.disabled}
      aria-label={props.label}
      onChange={(e) => props.onChange(e.target.value as Role)}
    >
      {ROLE_ORDER.map((r) => (
        <option key={r} value={r}>
          {roleLabel(r)}
        </option>
      ))}
    </select>
  );
}
