import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../i18n/errors';
import { getStationTimeZone } from '../../i18n/format';
import { RECORDING_MODES, type CallInput, type ChannelRecordingConfig } from '../../../../electron/contract';
import { SCHEDULE_PRESETS, ScheduleGrid } from '../events/ScheduleGrid';
import { useSetChannelsMutation } from './storage-api';
import { changedMeanwhile, parseNumber } from './storage-format';

type Field = 'mode' | 'stream' | 'preSeconds' | 'postSeconds' | 'retentionDays' | 'schedule' | 'motionGrid' | 'backfill' | 'cardTimeZone';
interface Draft {
  mode: string; stream: string; preSeconds: string; postSeconds: string; retentionDays: string; noAgeLimit: boolean; schedule: string; motionGrid: string; backfill: string;
  cardTimeZone: string;
}

/** The zones a camera's clock may keep: UTC first, then this station's, then every one this browser knows (and the one set). */
function zoneChoices(current: string): string[] {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set(['UTC', getStationTimeZone() ?? 'UTC', ...(current ? [current] : []), ...all])];
}

/** What the channels share; '' where they differ (a setting a channel never had is the station's default). */
function common(configs: ChannelRecordingConfig[]): Draft {
  const same = <K extends keyof ChannelRecordingConfig>(k: K) => (configs.every((c) => c[k] === configs[0]?.[k]) ? configs[0]?.[k] : undefined);
  const days = same('retentionDays');
  const grid = same('motionGrid');
  const backfill = same('backfill');
  return {
    mode: same('mode') ?? '', stream: same('stream') ?? '',
    preSeconds: same('preSeconds')?.toString() ?? '', postSeconds: same('postSeconds')?.toString() ?? '',
    retentionDays: typeof days === 'number' ? String(days) : '', noAgeLimit: days === null,
    schedule: same('schedule') ?? SCHEDULE_PRESETS.Always,
    motionGrid: grid === undefined ? '' : grid ? 'on' : 'off',
    backfill: backfill === undefined ? '' : backfill ? 'on' : 'off',
    cardTimeZone: same('cardTimeZone') ?? '',
  };
}

const DEFAULTS = (channelId: number): ChannelRecordingConfig =>
  ({ channelId, mode: 'off', stream: 'main', schedule: SCHEDULE_PRESETS.Always, preSeconds: 10, postSeconds: 30, retentionDays: null, motionGrid: true, backfill: true, cardTimeZone: 'UTC' });

interface Props {
  channelIds: number[];
  configs: ChannelRecordingConfig[];
  /** The settings' revision as read (sent back with a change: one made by someone else since is refused). */
  revision: number | undefined;
  /** Another station's channels (a desk): its name, said in the legend; the change is made there. */
  station?: string;
  /** Some of the channels were added by RTSP URL (no device to ask the camera's clock of): their clock's zone is asked here. */
  byUrl?: boolean;
}

/** One setting for every selected channel: only the fields edited are sent, the rest stay as each channel has them (keyed by the selection: another choice starts afresh). */
export function ChannelSettingsForm({ channelIds, configs, revision, station, byUrl = false }: Props) {
  const { t } = useTranslation('storage');
  const [apply, { isLoading, isSuccess, reset }] = useSetChannelsMutation();
  const byId = new Map(configs.map((c) => [c.channelId, c]));
  const chosen = channelIds.map((id) => byId.get(id) ?? DEFAULTS(id));
  const [draft, setDraft] = useState<Draft>(() => common(chosen));
  const [touched, setTouched] = useState<Set<Field>>(new Set());
  const [problem, setProblem] = useState<string | null>(null);
  // What the user has typed and not saved, as the effect below sees it.
  const unsaved = useRef(touched);
  unsaved.current = touched;
  // Settings read again (after a save, a refusal, or a change someone else made, which the station signals): the form
  // shows them afresh, and says so when that replaced what the user was typing.
  useEffect(() => {
    if (unsaved.current.size > 0) setProblem(t('settings.reloaded'));
    setDraft(common(channelIds.map((id) => byId.get(id) ?? DEFAULTS(id))));
    setTouched(new Set());
    // Only a new revision resets what the user typed (not every new array of configs).
  }, [revision]);

  if (channelIds.length === 0) return <p className="muted st-select-first">{t('settings.selectFirst')}</p>;

  const edit = (field: Field, patch: Partial<Draft>) => {
    reset();
    setProblem(null);
    setDraft((d) => ({ ...d, ...patch }));
    setTouched((s) => new Set(s).add(field));
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const input: CallInput<'recording.setChannels'> = { channelIds, ...(revision !== undefined ? { revision } : {}) };
    if (touched.has('mode') && draft.mode) input.mode = draft.mode as ChannelRecordingConfig['mode'];
    if (touched.has('stream') && draft.stream) input.stream = draft.stream as ChannelRecordingConfig['stream'];
    if (touched.has('preSeconds')) {
      const n = parseNumber(draft.preSeconds);
      if (!(n >= 0 && n <= 60)) return setProblem(t('settings.errors.preSeconds'));
      input.preSeconds = n;
    }
    if (touched.has('postSeconds')) {
      const n = parseNumber(draft.postSeconds);
      if (!(n >= 0 && n <= 3600)) return setProblem(t('settings.errors.postSeconds'));
      input.postSeconds = n;
    }
    if (touched.has('retentionDays')) {
      const n = parseNumber(draft.retentionDays);
      if (!draft.noAgeLimit && !(Number.isInteger(n) && n >= 1 && n <= 3650)) return setProblem(t('settings.errors.retentionDays'));
      input.retentionDays = draft.noAgeLimit ? null : n;
    }
    if (touched.has('schedule')) {
      if (!draft.schedule.includes('1')) return setProblem(t('settings.errors.schedule'));
      input.schedule = draft.schedule;
    }
    if (touched.has('motionGrid') && draft.motionGrid) input.motionGrid = draft.motionGrid === 'on';
    if (touched.has('backfill') && draft.backfill) input.backfill = draft.backfill === 'on';
    if (touched.has('cardTimeZone') && draft.cardTimeZone) input.cardTimeZone = draft.cardTimeZone;
    if (Object.keys(input).every((k) => k === 'channelIds' || k === 'revision')) return setProblem(t('settings.nothingChanged'));
    try {
      await apply(input).unwrap();
      // Saved: the settings read again after it replace nothing unsaved (their answer comes after this one's).
      unsaved.current = new Set();
      setTouched(new Set());
    } catch (err) {
      setProblem(changedMeanwhile(err) ? t('settings.reloaded') : errorText(err));
    }
  };

  const mixed = t('settings.mixed');
  const showSchedule = draft.mode === 'schedule' || (draft.mode === '' && chosen.some((c) => c.mode === 'schedule'));
  return (
    <form className="st-settings" onSubmit={submit} noValidate aria-labelledby="st-settings-legend">
      <fieldset>
        <legend id="st-settings-legend">{station === undefined ? t('settings.legend', { count: channelIds.length }) : t('settings.legendStation', { count: channelIds.length, name: station })}</legend>
        <div className="st-fields">
          <label className="field-stack">{t('settings.mode')}
            <select name="mode" value={draft.mode} onChange={(e) => edit('mode', { mode: e.target.value })}>
              {draft.mode === '' && <option value="">{t('settings.keepEach')}</option>}
              {RECORDING_MODES.map((m) => <option key={m} value={m}>{t(`modes.${m}`)}</option>)}
            </select>
          </label>
          <label className="field-stack">{t('settings.stream')}
            <select name="stream" value={draft.stream} onChange={(e) => edit('stream', { stream: e.target.value })}>
              {draft.stream === '' && <option value="">{t('settings.keepEach')}</option>}
              <option value="main">{t('streams.main')}</option>
              <option value="sub">{t('streams.sub')}</option>
            </select>
          </label>
          <label className="field-stack">{t('settings.preSeconds')}
            <input name="preSeconds" inputMode="decimal" value={draft.preSeconds} placeholder={mixed} onChange={(e) => edit('preSeconds', { preSeconds: e.target.value })} />
          </label>
          <label className="field-stack">{t('settings.postSeconds')}
            <input name="postSeconds" inputMode="decimal" value={draft.postSeconds} placeholder={mixed} onChange={(e) => edit('postSeconds', { postSeconds: e.target.value })} />
          </label>
          <label className="field-stack">{t('settings.retentionDays')}
            <input name="retentionDays" inputMode="numeric" value={draft.noAgeLimit ? '' : draft.retentionDays} disabled={draft.noAgeLimit}
              placeholder={draft.noAgeLimit ? t('noLimit') : mixed} onChange={(e) => edit('retentionDays', { retentionDays: e.target.value })} />
          </label>
          <label className="field-stack">{t('settings.motionGrid')}
            <select name="motionGrid" value={draft.motionGrid} onChange={(e) => edit('motionGrid', { motionGrid: e.target.value })} aria-describedby="st-grid-hint">
              {draft.motionGrid === '' && <option value="">{t('settings.keepEach')}</option>}
              <option value="on">{t('settings.gridOn')}</option>
              <option value="off">{t('settings.gridOff')}</option>
            </select>
          </label>
          <label className="field-stack">{t('settings.backfill')}
            <select name="backfill" value={draft.backfill} onChange={(e) => edit('backfill', { backfill: e.target.value })} aria-describedby="st-backfill-hint">
              {draft.backfill === '' && <option value="">{t('settings.keepEach')}</option>}
              <option value="on">{t('settings.backfillOn')}</option>
              <option value="off">{t('settings.backfillOff')}</option>
            </select>
          </label>
          {byUrl && (
            <label className="field-stack">{t('settings.cardTimeZone')}
              <select name="cardTimeZone" value={draft.cardTimeZone} onChange={(e) => edit('cardTimeZone', { cardTimeZone: e.target.value })} aria-describedby="st-zone-hint">
                {draft.cardTimeZone === '' && <option value="">{t('settings.keepEach')}</option>}
                {zoneChoices(draft.cardTimeZone).map((z) => (
                  <option key={z} value={z}>{z === 'UTC' ? t('settings.zoneUtc') : z === getStationTimeZone() ? t('settings.zoneStation', { zone: z }) : z}</option>
                ))}
              </select>
            </label>
          )}
          <label className="st-check">
            <input type="checkbox" name="noAgeLimit" checked={draft.noAgeLimit} onChange={(e) => edit('retentionDays', { noAgeLimit: e.target.checked })} />
            {t('settings.noAgeLimit')}
          </label>
        </div>
        {draft.mode === 'event' && <p className="muted small">{t('settings.eventHint')}</p>}
        <p className="muted small" id="st-grid-hint">{t('settings.gridHint')}</p>
        <p className="muted small" id="st-backfill-hint">{t('settings.backfillHint')}</p>
        {byUrl && <p className="muted small" id="st-zone-hint">{t('settings.cardTimeZoneHint')}</p>}
        {showSchedule && <ScheduleGrid label={t('settings.schedule')} value={draft.schedule} onChange={(schedule) => edit('schedule', { schedule })} />}
      </fieldset>
      <div className="actions">
        <button type="submit" className="primary" disabled={isLoading} data-action="apply">{t('settings.apply', { count: channelIds.length })}</button>
        {isSuccess && !problem && <span className="ok" role="status">{t('settings.applied')}</span>}
        {problem && <span className="error" role="alert">{problem}</span>}
      </div>
    </form>
  );
}
