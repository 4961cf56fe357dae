import { useState } from 'react';
import { useTranslation } from 'react-i18next';

/** Copies `text` to the clipboard and says so; when the browser refuses, asks for Ctrl+C instead. */
export function CopyButton({ text, label }: { text: string; label?: string }) {
  const { t } = useTranslation();
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
  };
  return (
    <>
      <button type="button" className="button secondary small" onClick={() => void copy()}>
        {state === 'copied' ? t('ui.copied') : (label ?? t('ui.copy'))}
      </button>
      <span className="copy-status" role="status">
        {state === 'copied' ? t('ui.copiedToClipboard') : state === 'failed' ? t('ui.copyByHand') : ''}
      </span>
    </>
  );
}
