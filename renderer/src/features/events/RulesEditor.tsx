import { useState } from 'react';
import { ALARM_ACTIONS, EVENT_TYPES, type AlarmRule } from '../../../../electron/contract';
import { useChannelsQuery } from '../live/live-api';
import { TYPE_LABELS, useAlarmRulesQuery, useRemoveRuleMutation, useSaveRuleMutation } from './events-api';
import { SCHEDULE_PRESETS, ScheduleGrid, scheduleHours } from './ScheduleGrid';

const ALWAYS = SCHEDULE_PRESETS.Always;
const scheduleName = (s: string) => (Object.keys(SCHEDULE_PRESETS) as (keyof typeof SCHEDULE_PRESETS)[]).find((k) => SCHEDULE_PRESETS[k] === s) ?? `${scheduleHours(s)} h a week`;
const ACTION_LABELS: Record<AlarmRule['actions'][number], string> = {
  notify: 'Notification with snapshot', popup: 'Pop the camera up in Live', record: 'Event recording', sound: 'Play a sound', mark: 'Mark on the timeline',
};

type Draft = Omit<AlarmRule, 'id'> & { id?: number };
const blank = (): Draft => ({ name: '', enabled: true, types: ['motion'], channelIds: null, schedule: ALWAYS, actions: ['notify', 'sound', 'mark'] });

const toggle = <T,>(list: T[], v: T) => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);

/** Alarm rules: when (types, channels, schedule) -> do (actions). */
export function RulesEditor() {
  const { data: rules = [] } = useAlarmRulesQuery();
  const { data: channels = [] } = useChannelsQuery();
  const [save, { error }] = useSaveRuleMutation();
  const [remove] = useRemoveRuleMutation();
  const [draft, setDraft] = useState<Draft | null>(null);

  return (
    <section className="ev-rules" aria-label="Alarm rules">
      <ul className="ev-rule-list">
        {rules.map((r) => (
          <li key={r.id} className="ev-rule" data-rule-id={r.id}>
            <strong>{r.name}</strong>
            <span className="muted">{r.types.map((t) => TYPE_LABELS[t]).join(', ')} · {r.channelIds === null ? 'all channels' : `${r.channelIds.length} channel(s)`} · {scheduleName(r.schedule)} · {r.enabled ? 'on' : 'off'}</span>
            <button type="button" onClick={() => setDraft({ ...r })}>Edit</button>
            <button type="button" onClick={() => void remove(r.id)}>Delete</button>
          </li>
        ))}
      </ul>
      {draft === null ? <button type="button" onClick={() => setDraft(blank())} data-action="new-rule">New rule…</button> : (
        <form className="ev-rule-form panel" onSubmit={async (e) => {
          e.preventDefault();
          const r = await save(draft);
          if ('data' in r) setDraft(null);
        }}>
          <label>Name <input required maxLength={100} value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} name="rule-name" /></label>
          <label className="ev-check"><input type="checkbox" checked={draft.enabled} onChange={() => setDraft({ ...draft, enabled: !draft.enabled })} /> Enabled</label>
          <fieldset><legend>When</legend>
            {EVENT_TYPES.map((t) => (
              <label key={t} className="ev-check"><input type="checkbox" checked={draft.types.includes(t)} onChange={() => setDraft({ ...draft, types: toggle(draft.types, t) })} data-type={t} /> {TYPE_LABELS[t]}</label>
            ))}
          </fieldset>
          <fieldset><legend>Channels</legend>
            <label className="ev-check"><input type="checkbox" checked={draft.channelIds === null} onChange={() => setDraft({ ...draft, channelIds: draft.channelIds === null ? [] : null })} /> All channels</label>
            {draft.channelIds !== null && channels.map((c) => (
              <label key={c.id} className="ev-check"><input type="checkbox" checked={draft.channelIds!.includes(c.id)} onChange={() => setDraft({ ...draft, channelIds: toggle(draft.channelIds ?? [], c.id) })} /> {c.name}</label>
            ))}
          </fieldset>
          <fieldset><legend>Schedule (station time)</legend>
            <ScheduleGrid label="Schedule" value={draft.schedule} onChange={(schedule) => setDraft((d) => (d ? { ...d, schedule } : d))} />
          </fieldset>
          <fieldset><legend>Do</legend>
            {ALARM_ACTIONS.map((a) => (
              <label key={a} className="ev-check"><input type="checkbox" checked={draft.actions.includes(a)} onChange={() => setDraft({ ...draft, actions: toggle(draft.actions, a) })} data-do={a} /> {ACTION_LABELS[a]}</label>
            ))}
          </fieldset>
          {error && <p className="error" role="alert">{(error as { message?: string }).message}</p>}
          <div className="ev-form-buttons"><button type="submit" className="primary">Save rule</button><button type="button" onClick={() => setDraft(null)}>Cancel</button></div>
        </form>
      )}
    </section>
  );
}
