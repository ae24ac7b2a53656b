import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ALARM_ACTIONS, EVENT_TYPES, type AlarmRule } from '../../../../electron/contract';
import { useChannelsQuery } from '../live/live-api';
import { typeLabel, useAlarmRulesQuery, useRemoveRuleMutation, useSaveRuleMutation } from './events-api';
import { SCHEDULE_PRESETS, ScheduleGrid, scheduleName } from './ScheduleGrid';
import { errorText } from '../../i18n/errors';

const ALWAYS = SCHEDULE_PRESETS.Always;

type Draft = Omit<AlarmRule, 'id'> & { id?: number };
const blank = (): Draft => ({ name: '', enabled: true, types: ['motion'], channelIds: null, schedule: ALWAYS, actions: ['notify', 'sound', 'mark'] });

const toggle = <T,>(list: T[], v: T) => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);

/** Why a rule could never fire (the catalogue key), or undefined. */
export function ruleProblem(d: Draft): 'noType' | 'noChannel' | 'noSchedule' | undefined {
  if (d.types.length === 0) return 'noType';
  if (d.channelIds?.length === 0) return 'noChannel';
  if (!d.schedule.includes('1')) return 'noSchedule';
  return undefined;
}

/** Alarm rules: when (types, channels, schedule) -> do (actions). */
export function RulesEditor() {
  const { t } = useTranslation('events');
  const { data: rules = [] } = useAlarmRulesQuery();
  const { data: channels = [] } = useChannelsQuery();
  const [save, { error }] = useSaveRuleMutation();
  const [remove] = useRemoveRuleMutation();
  const [draft, setDraft] = useState<Draft | null>(null);
  const [shown, setShown] = useState(false);
  const problem = draft ? ruleProblem(draft) : undefined;

  return (
    <section className="ev-rules" aria-label={t('rules.label')}>
      <ul className="ev-rule-list">
        {rules.map((r) => (
          <li key={r.id} className="ev-rule" data-rule-id={r.id}>
            <strong>{r.name}</strong>
            <span className="muted">{r.types.map(typeLabel).join(t('rules.listSeparator'))} · {r.channelIds === null ? t('rules.allChannelsSummary') : t('rules.channelCount', { count: r.channelIds.length })} · {scheduleName(r.schedule)} · {r.enabled ? t('rules.on') : t('rules.off')}</span>
            <button type="button" onClick={() => { setShown(false); setDraft({ ...r }); }}>{t('rules.edit')}</button>
            <button type="button" onClick={() => void remove(r.id)}>{t('rules.delete')}</button>
          </li>
        ))}
      </ul>
      {draft === null ? <button type="button" onClick={() => { setShown(false); setDraft(blank()); }} data-action="new-rule">{t('rules.newRule')}</button> : (
        <form className="ev-rule-form panel" onSubmit={async (e) => {
          e.preventDefault();
          setShown(true);
          if (problem) return;
          const r = await save(draft);
          if ('data' in r) setDraft(null);
        }}>
          <label>{t('rules.form.name')} <input required maxLength={100} value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} name="rule-name" /></label>
          <label className="ev-check"><input type="checkbox" checked={draft.enabled} onChange={() => setDraft({ ...draft, enabled: !draft.enabled })} /> {t('rules.form.enabled')}</label>
          <fieldset><legend>{t('rules.form.when')}</legend>
            {EVENT_TYPES.map((k) => (
              <label key={k} className="ev-check"><input type="checkbox" checked={draft.types.includes(k)} onChange={() => setDraft({ ...draft, types: toggle(draft.types, k) })} data-type={k} /> {typeLabel(k)}</label>
            ))}
          </fieldset>
          <fieldset><legend>{t('rules.form.channels')}</legend>
            <label className="ev-check"><input type="checkbox" checked={draft.channelIds === null} onChange={() => setDraft({ ...draft, channelIds: draft.channelIds === null ? [] : null })} /> {t('rules.form.allChannels')}</label>
            {draft.channelIds !== null && channels.map((c) => (
              <label key={c.id} className="ev-check"><input type="checkbox" checked={draft.channelIds!.includes(c.id)} onChange={() => setDraft({ ...draft, channelIds: toggle(draft.channelIds ?? [], c.id) })} /> {c.name}</label>
            ))}
          </fieldset>
          <fieldset><legend>{t('rules.form.scheduleLegend')}</legend>
            <ScheduleGrid label={t('rules.form.schedule')} value={draft.schedule} onChange={(schedule) => setDraft((d) => (d ? { ...d, schedule } : d))} />
          </fieldset>
          <fieldset><legend>{t('rules.form.do')}</legend>
            {ALARM_ACTIONS.map((a) => (
              <label key={a} className="ev-check"><input type="checkbox" checked={draft.actions.includes(a)} onChange={() => setDraft({ ...draft, actions: toggle(draft.actions, a) })} data-do={a} /> {t(`actions.${a}`)}</label>
            ))}
          </fieldset>
          {shown && problem && <p className="error" role="alert" data-problem={problem}>{t(`rules.form.problems.${problem}`)}</p>}
          {error && <p className="error" role="alert">{errorText(error)}</p>}
          <div className="ev-form-buttons"><button type="submit" className="primary">{t('rules.form.save')}</button><button type="button" onClick={() => setDraft(null)}>{t('common:cancel')}</button></div>
        </form>
      )}
    </section>
  );
}
