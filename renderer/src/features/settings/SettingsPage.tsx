import { useEffect, useState, type FormEvent } from 'react';
import type { Settings } from '../../../../electron/contract';
import { useSettingsQuery, useUpdateSettingsMutation } from '../../app/station-api';
import { EventSettingsForm } from '../events/EventSettingsForm';

type Draft = { ffmpegPath: string; ffprobePath: string; recordingsDir: string };
const toDraft = (s: Settings): Draft => ({ ffmpegPath: s.ffmpegPath ?? '', ffprobePath: s.ffprobePath ?? '', recordingsDir: s.recordingsDir });

export function SettingsPage() {
  const { data } = useSettingsQuery();
  const [update, { isLoading, error, isSuccess, reset }] = useUpdateSettingsMutation();
  const [draft, setDraft] = useState<Draft | null>(null);
  useEffect(() => { if (data) setDraft(toDraft(data)); }, [data]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    void update({ ffmpegPath: draft.ffmpegPath.trim() || null, ffprobePath: draft.ffprobePath.trim() || null, recordingsDir: draft.recordingsDir.trim() });
  };
  const field = (key: keyof Draft, label: string, hint: string) => (
    <label className="field">
      <span>{label}</span>
      <input name={key} value={draft?.[key] ?? ''} spellCheck={false} placeholder={hint}
        onChange={(e) => { reset(); setDraft((d) => (d ? { ...d, [key]: e.target.value } : d)); }} />
    </label>
  );

  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-head"><h1 id="page-title" tabIndex={-1}>Settings</h1></header>
      <form className="form" onSubmit={submit} aria-label="Station settings">
        <fieldset>
          <legend>Media tools</legend>
          {field('ffmpegPath', 'ffmpeg path', 'empty: ffmpeg-static, then PATH')}
          {field('ffprobePath', 'ffprobe path', 'empty: beside ffmpeg-static, then PATH')}
        </fieldset>
        <fieldset>
          <legend>Storage</legend>
          {field('recordingsDir', 'Recordings folder', '/absolute/path')}
        </fieldset>
        <div className="actions">
          <button type="submit" className="primary" disabled={isLoading || !draft}>Save</button>
          {isSuccess && <span className="ok" role="status">Saved</span>}
          {error && <span className="error" role="alert">{'message' in error ? String(error.message) : 'could not save'}</span>}
        </div>
      </form>
      <EventSettingsForm />
    </section>
  );
}
