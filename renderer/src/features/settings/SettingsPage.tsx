import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Settings } from '../../../../electron/contract';
import { useSettingsQuery, useUpdateSettingsMutation } from '../../app/station-api';
import { currentLanguage, LANGUAGE_NAMES, LANGUAGES, setLanguage, type Language } from '../../i18n';
import { EventSettingsForm } from '../events/EventSettingsForm';
import { MqttSettingsForm } from './MqttSettingsForm';
import { StartAtLogin } from './StartAtLogin';
import { ServingPanel } from '../sites/ServingPanel';
import { errorText } from '../../i18n/errors';

type Draft = { ffmpegPath: string; ffprobePath: string; recordingsDir: string };
const toDraft = (s: Settings): Draft => ({ ffmpegPath: s.ffmpegPath ?? '', ffprobePath: s.ffprobePath ?? '', recordingsDir: s.recordingsDir });

function LanguagePicker() {
  const { t } = useTranslation('settings');
  return (
    <fieldset>
      <legend>{t('language.legend')}</legend>
      <label className="field">
        <span>{t('language.label')}</span>
        <select name="language" value={currentLanguage()} onChange={(e) => setLanguage(e.target.value as Language)}>
          {LANGUAGES.map((l) => <option key={l} value={l} lang={l}>{LANGUAGE_NAMES[l]}</option>)}
        </select>
      </label>
    </fieldset>
  );
}

export function SettingsPage() {
  const { t } = useTranslation('settings');
  const { data } = useSettingsQuery();
  const [update, { isLoading, error, isSuccess, reset }] = useUpdateSettingsMutation();
  const [draft, setDraft] = useState<Draft | null>(null);
  useEffect(() => { if (data) setDraft(toDraft(data)); }, [data]);

  const save = (createFolder = false) => {
    if (!draft) return;
    void update({ ffmpegPath: draft.ffmpegPath.trim() || null, ffprobePath: draft.ffprobePath.trim() || null, recordingsDir: draft.recordingsDir.trim(), createFolder });
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save();
  };
  // A recordings folder that does not exist is made only when the user says so (a typo makes no folders anywhere).
  const missingFolder = error && 'reason' in error && error.reason === 'folder.notFound' ? String(error.params?.path ?? '') : null;
  const field = (key: keyof Draft) => (
    <label className="field">
      <span>{t(`fields.${key}.label`)}</span>
      <input name={key} value={draft?.[key] ?? ''} spellCheck={false} placeholder={t(`fields.${key}.hint`)}
        onChange={(e) => { reset(); setDraft((d) => (d ? { ...d, [key]: e.target.value } : d)); }} />
    </label>
  );

  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-head"><h1 id="page-title" tabIndex={-1}>{t('title')}</h1></header>
      <form className="form" onSubmit={submit} aria-label={t('formLabel')}>
        <LanguagePicker />
        {window.watchpost?.desktop && <StartAtLogin desktop={window.watchpost.desktop} />}
        <fieldset>
          <legend>{t('mediaTools')}</legend>
          {field('ffmpegPath')}
          {field('ffprobePath')}
        </fieldset>
        <fieldset>
          <legend>{t('storage')}</legend>
          {field('recordingsDir')}
        </fieldset>
        <div className="actions">
          <button type="submit" className="primary" disabled={isLoading || !draft}>{t('common:save')}</button>
          {isSuccess && <span className="ok" role="status">{t('common:saved')}</span>}
          {error && !missingFolder && <span className="error" role="alert">{errorText(error)}</span>}
          {missingFolder && (
            <span className="error" role="alert">
              {t('createFolder.question', { path: missingFolder })}{' '}
              <button type="button" onClick={() => save(true)}>{t('createFolder.create')}</button>
            </span>
          )}
        </div>
      </form>
      <EventSettingsForm />
      <ServingPanel />
      <MqttSettingsForm />
    </section>
  );
}
