import type { Role } from '../../../../contract/index.js';
import { useTranslation } from 'react-i18next';
import { ROLE_ORDER } from '../../app/accounts/abilities.js';

export function RoleSelect(props: {
  id: string;
  value: Role;
  onChange: (role: Role) => void;
  disabled?: boolean;
  label?: string;
}) {
  const { t } = useTranslation();
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
          {t(`roles.${r}`)}
        </option>
      ))}
    </select>
  );
}
