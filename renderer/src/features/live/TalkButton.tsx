import type { KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TalkState } from './use-talk';

/** A tile's push-to-talk button: held with the pointer, Space or Enter; shows the microphone's level while talking. */
export function TalkButton({ name, talk, press, release }: { name: string; talk: TalkState; press(): void; release(): void }) {
  const { t } = useTranslation('live');
  const on = talk.state === 'talking' || talk.state === 'starting';
  const held = (e: KeyboardEvent) => e.key === ' ' || e.key === 'Enter';
  return (
    <button type="button" className={on ? 'talk on' : 'talk'} aria-pressed={on} data-testid="tile-talk" data-talk={talk.state}
      aria-label={t('talk.label', { name })} title={t('talk.title')}
      onClick={(e) => e.stopPropagation()}
      onPointerDown={(e) => { if (e.button !== 0) return; e.stopPropagation(); e.currentTarget.setPointerCapture(e.pointerId); press(); }}
      onPointerUp={release} onPointerCancel={release} onLostPointerCapture={release}
      onKeyDown={(e) => { if (!held(e)) return; e.preventDefault(); e.stopPropagation(); if (!e.repeat) press(); }}
      onKeyUp={(e) => { if (held(e)) { e.preventDefault(); release(); } }}
      onBlur={release}>
      {talk.state === 'talking' ? t('talk.talking') : t('talk.talk')}
      {talk.state === 'talking' && (
        <span className="talk-level" role="meter" aria-label={t('talk.level')} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(talk.level * 100)}>
          <span style={{ width: `${Math.round(talk.level * 100)}%` }} />
        </span>
      )}
    </button>
  );
}
