import { useTranslation } from 'react-i18next';

/** What a lazily loaded menu panel shows for the moment its chunk takes to arrive. */
export function MenuLoading({ className }: { className: string }) {
  const { t } = useTranslation();
  return (
    <div className={className}>
      <p className="export-menu-note" role="status">
        {t('common.loading')}
      </p>
    </div>
  );
}
