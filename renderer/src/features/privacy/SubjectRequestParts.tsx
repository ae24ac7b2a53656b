// Presentational parts of the subject access request register: the new-request form, the register's rows, the search
// helpers of one request (timeline, events, bookmarks, motion) and its steps. Data and callbacks come from the panel.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Channel, DISCLOSURE_METHODS, RedactedExport, SubjectRequest, SubjectRequestSettings } from '../../../../electron/contract';
import { formatDateTime } from '../../i18n/format';

export type DisclosureMethod = (typeof DISCLOSURE_METHODS)[number];
export const METHODS: DisclosureMethod[] = ['inPerson', 'email', 'post', 'secureLink'];
const DAY = 86_400_000;

/** `YYYY-MM-DDTHH:mm` in this browser's time, as a datetime-local input holds it. */
export const toLocalInput = (ms: number) => {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};
const fromLocalInput = (v: string) => new Date(v).getTime();
const dateOnly = (ms: number) => formatDateTime(ms, { dateStyle: 'medium' });

export function ReminderBadge({ request }: { request: Pick<SubjectRequest, 'reminder' | 'dueAt'> }) {
  const { t } = useTranslation('privacy');
  if (request.reminder === 'none') return null;
  return <span className={`badge sar-reminder sar-${request.reminder}`} data-reminder={request.reminder}>{t(`requests.reminder.${request.reminder}`)}</span>;
}

/** A request's time windows (1 to 16), each from–to in this browser's time, added and removed row by row. */
export function WindowsEditor({ windows, disabled = false, onChange }: { windows: { from: string; to: string }[]; disabled?: boolean; onChange(w: { from: string; to: string }[]): void }) {
  const { t } = useTranslation('privacy');
  const set = (i: number, patch: Partial<{ from: string; to: string }>) => onChange(windows.map((w, j) => (j === i ? { ...w, ...patch } : w)));
  return (
    <fieldset className="sar-windows-edit wide" data-testid="sar-windows">
      <legend>{t('requests.windows')}</legend>
      {windows.map((w, i) => (
        <div key={i} className="row" data-window={i}>
          <label>{t('requests.windowFrom')}<input type="datetime-local" name="sar-from" value={w.from} disabled={disabled} required onChange={(e) => set(i, { from: e.target.value })} /></label>
          <label>{t('requests.windowTo')}<input type="datetime-local" name="sar-to" value={w.to} disabled={disabled} required onChange={(e) => set(i, { to: e.target.value })} /></label>
          {windows.length > 1 && !disabled && (
            <button type="button" onClick={() => onChange(windows.filter((_, j) => j !== i))} aria-label={t('requests.removeWindow', { n: i + 1 })}>{t('requests.remove')}</button>
          )}
        </div>
      ))}
      {!disabled && windows.length < MAX_WINDOWS && (
        <button type="button" data-testid="sar-add-window" onClick={() => onChange([...windows, windows.at(-1) ?? { from: toLocalInput(Date.now() - DAY), to: toLocalInput(Date.now()) }])}>{t('requests.addWindow')}</button>
      )}
    </fieldset>
  );
}

const MAX_WINDOWS = 16;
export const windowsToInputs = (ws: readonly { from: number; to: number }[]) => ws.map((w) => ({ from: toLocalInput(w.from), to: toLocalInput(w.to) }));
export const windowsFromInputs = (ws: readonly { from: string; to: string }[]) => ws.map((w) => ({ from: fromLocalInput(w.from), to: fromLocalInput(w.to) }));

/** The cameras to search, ticked from the station's list. */
export function CameraPicks({ channels, picked, disabled = false, onChange }: { channels: Channel[]; picked: number[]; disabled?: boolean; onChange(p: number[]): void }) {
  const { t } = useTranslation('privacy');
  return (
    <fieldset className="sar-channels">
      <legend>{t('requests.cameras')}</legend>
      {channels.map((c) => (
        <label key={c.id} className="check"><input type="checkbox" name="sar-channel" value={c.id} checked={picked.includes(c.id)} disabled={disabled}
          onChange={(e) => onChange(e.target.checked ? [...picked, c.id] : picked.filter((x) => x !== c.id))} />{c.name}</label>
      ))}
    </fieldset>
  );
}

export interface NewRequest { name: string; contact: string; notes: string; receivedAt: number; dueAt?: number; channelIds: number[]; windows: { from: number; to: number }[] }

export function RequestForm({ channels, settings, busy, error, onSubmit, onCancel }: {
  channels: Channel[]; settings: SubjectRequestSettings; busy: boolean; error: string | null; onSubmit(r: NewRequest): void; onCancel(): void;
}) {
  const { t } = useTranslation('privacy');
  const now = Date.now();
  const [received, setReceived] = useState(toLocalInput(now).slice(0, 10));
  const [due, setDue] = useState('');
  const [picked, setPicked] = useState<number[]>([]);
  const [windows, setWindows] = useState([{ from: toLocalInput(now - DAY), to: toLocalInput(now) }]);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const receivedAt = new Date(`${received}T12:00`).getTime();
    onSubmit({
      name: String(f.get('sar-name') ?? ''), contact: String(f.get('sar-contact') ?? ''), notes: String(f.get('sar-notes') ?? ''),
      receivedAt, ...(due ? { dueAt: new Date(`${due}T12:00`).getTime() } : {}), channelIds: picked,
      windows: windowsFromInputs(windows),
    });
  };
  const defaultDue = new Date(`${received}T12:00`).getTime() + settings.dueDays * DAY;
  return (
    <form className="form sar-form" onSubmit={submit} aria-label={t('requests.new')} data-testid="sar-form">
      <label>{t('requests.name')}<input name="sar-name" autoComplete="off" required maxLength={200} /></label>
      <label>{t('requests.contact')}<input name="sar-contact" autoComplete="off" required maxLength={500} /></label>
      <label>{t('requests.received')}<input type="date" name="sar-received" value={received} onChange={(e) => setReceived(e.target.value)} required /></label>
      <label>{t('requests.due')}<input type="date" name="sar-due" value={due} onChange={(e) => setDue(e.target.value)} />
        <span className="muted small">{t('requests.dueDefault', { date: Number.isFinite(defaultDue) ? dateOnly(defaultDue) : '—', days: settings.dueDays })}</span>
      </label>
      <CameraPicks channels={channels} picked={picked} onChange={setPicked} />
      <WindowsEditor windows={windows} onChange={setWindows} />
      <label className="wide">{t('requests.notes')}<textarea name="sar-notes" rows={2} maxLength={4000} /></label>
      <div className="actions wide">
        <button type="submit" className="primary" disabled={busy} data-testid="sar-create">{t('requests.create')}</button>
        <button type="button" onClick={onCancel}>{t('requests.cancel')}</button>
        {error && <span className="error" role="alert">{error}</span>}
      </div>
    </form>
  );
}

export function RequestRows({ requests, selected, onSelect }: { requests: SubjectRequest[]; selected: number | null; onSelect(id: number): void }) {
  const { t } = useTranslation('privacy');
  if (!requests.length) return <p className="muted small" data-testid="sar-empty">{t('requests.none')}</p>;
  return (
    <table className="table sar-table" data-testid="sar-table">
      <thead><tr><th>{t('requests.reference')}</th><th>{t('requests.name')}</th><th>{t('requests.status')}</th><th>{t('requests.received')}</th><th>{t('requests.due')}</th><th>{t('requests.exports')}</th></tr></thead>
      <tbody>
        {requests.map((r) => (
          <tr key={r.id} className={r.id === selected ? 'selected' : ''} data-request={r.reference} data-state={r.state}>
            <td><button type="button" className="link" onClick={() => onSelect(r.id)} aria-pressed={r.id === selected}>{r.reference}</button></td>
            <td>{r.person.name}</td>
            <td><span className={`sar-state sar-${r.state}`}>{t(`requests.states.${r.state}`)}</span></td>
            <td>{dateOnly(r.receivedAt)}</td>
            <td>{dateOnly(r.dueAt)} <ReminderBadge request={r} /></td>
            <td>{r.exportIds.length}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export interface SearchFindings {
  events: { id: number; channelId: number | null; start: number; type: string }[] | undefined;
  bookmarks: { id: number; channelIds: number[]; start: number; name: string }[] | undefined;
  motion: { channelId: number; start: number; end: number }[] | undefined;
}

/** For one window of the request: its cameras' timelines, and the events, bookmarks and motion inside it. */
export function SearchHelpers({ request, windowIndex, channelName, findings, motionBusy, onWindow, onPlay, onMotion }: {
  request: SubjectRequest; windowIndex: number; channelName(id: number): string; findings: SearchFindings; motionBusy: boolean;
  onWindow(i: number): void; onPlay(at: number, channelId: number): void; onMotion(): void;
}) {
  const { t } = useTranslation('privacy');
  const w = request.windows[windowIndex]!;
  const first = request.channelIds[0]!;
  const when = (ms: number) => formatDateTime(ms);
  return (
    <section className="sar-search" aria-label={t('requests.search')} data-testid="sar-search">
      <h4>{t('requests.search')}</h4>
      <div className="sar-windows">
        {request.windows.map((x, i) => (
          <button key={i} type="button" aria-pressed={i === windowIndex} onClick={() => onWindow(i)}>{when(x.from)} – {when(x.to)}</button>
        ))}
      </div>
      <div className="sar-timelines">
        {request.channelIds.map((c) => (
          <button key={c} type="button" onClick={() => onPlay(w.from, c)} data-testid="sar-play">{t('requests.openTimeline', { camera: channelName(c) })}</button>
        ))}
      </div>
      <div className="sar-findings">
        <div>
          <h5>{t('requests.events', { count: findings.events?.length ?? 0 })}</h5>
          <ul>{(findings.events ?? []).slice(0, 8).map((e) => (
            <li key={e.id}><button type="button" className="link" onClick={() => onPlay(e.start, e.channelId ?? first)}>{when(e.start)} · {e.type}</button></li>
          ))}</ul>
        </div>
        <div>
          <h5>{t('requests.bookmarks', { count: findings.bookmarks?.length ?? 0 })}</h5>
          <ul>{(findings.bookmarks ?? []).slice(0, 8).map((b) => (
            <li key={b.id}><button type="button" className="link" onClick={() => onPlay(b.start, b.channelIds[0] ?? first)}>{when(b.start)} · {b.name}</button></li>
          ))}</ul>
        </div>
        <div>
          <h5>
            {findings.motion ? t('requests.motionHits', { count: findings.motion.length }) : t('requests.motion')}{' '}
            <button type="button" onClick={onMotion} disabled={motionBusy} data-testid="sar-motion">{t('requests.motionSearch')}</button>
          </h5>
          <ul>{(findings.motion ?? []).slice(0, 8).map((m, i) => (
            <li key={i}><button type="button" className="link" onClick={() => onPlay(m.start, m.channelId)}>{when(m.start)} · {channelName(m.channelId)}</button></li>
          ))}</ul>
        </div>
      </div>
    </section>
  );
}

export function ExportsPart({ request, exports, busy, onAttach, onDetach }: {
  request: SubjectRequest; exports: RedactedExport[]; busy: boolean; onAttach(id: number): void; onDetach(id: number): void;
}) {
  const { t } = useTranslation('privacy');
  const open = !request.closedAt;
  const ready = exports.filter((e) => e.state === 'done' && !request.exportIds.includes(e.exportId));
  const [pick, setPick] = useState<number | ''>('');
  const describe = (id: number) => {
    const e = exports.find((x) => x.exportId === id);
    return e ? t('requests.exportLine', { id, from: formatDateTime(e.from), to: formatDateTime(e.to, { timeStyle: 'medium' }) }) : `#${id}`;
  };
  return (
    <section className="sar-exports" aria-label={t('requests.exports')}>
      <h4>{t('requests.exports')}</h4>
      <ul data-testid="sar-attached">
        {request.exportIds.map((id) => (
          <li key={id} data-export={id}>{describe(id)} {open && <button type="button" onClick={() => onDetach(id)} disabled={busy}>{t('requests.detach')}</button>}</li>
        ))}
      </ul>
      {open && (
        <div className="actions">
          <select aria-label={t('requests.exportToAttach')} value={pick} onChange={(e) => setPick(e.target.value ? Number(e.target.value) : '')} data-testid="sar-export-pick">
            <option value="">{ready.length ? t('requests.chooseExport') : t('requests.noExports')}</option>
            {ready.map((e) => <option key={e.exportId} value={e.exportId}>{describe(e.exportId)}</option>)}
          </select>
          <button type="button" disabled={busy || pick === ''} onClick={() => pick !== '' && (onAttach(pick), setPick(''))} data-testid="sar-attach">{t('requests.attach')}</button>
        </div>
      )}
    </section>
  );
}

export function StepsPart({ request, busy, onAdvance, onDisclose, onRefuse }: {
  request: SubjectRequest; busy: boolean; onAdvance(state: 'searching' | 'prepared'): void; onDisclose(method: DisclosureMethod): void; onRefuse(reason: string): void;
}) {
  const { t } = useTranslation('privacy');
  const [method, setMethod] = useState<DisclosureMethod>('inPerson');
  const [reason, setReason] = useState('');
  if (request.state === 'disclosed' || request.state === 'refused') {
    return (
      <p className="muted small" data-testid="sar-closed">
        {request.state === 'disclosed'
          ? t('requests.disclosedOn', { date: formatDateTime(request.disclosure!.at), method: t(`requests.methods.${request.disclosure!.method}`) })
          : t('requests.refusedBecause', { reason: request.refusedReason ?? '' })}
        {' '}{request.eraseAt && t('requests.erasedOn', { date: dateOnly(request.eraseAt) })}
      </p>
    );
  }
  return (
    <section className="sar-steps" aria-label={t('requests.steps')}>
      <h4>{t('requests.steps')}</h4>
      <div className="actions">
        {request.state === 'received' && <button type="button" className="primary" disabled={busy} onClick={() => onAdvance('searching')} data-testid="sar-start-search">{t('requests.startSearch')}</button>}
        {request.state === 'searching' && <button type="button" className="primary" disabled={busy} onClick={() => onAdvance('prepared')} data-testid="sar-prepared">{t('requests.markPrepared')}</button>}
        {request.state === 'prepared' && (
          <>
            <label>{t('requests.method')}
              <select value={method} onChange={(e) => setMethod(e.target.value as DisclosureMethod)} data-testid="sar-method">
                {METHODS.map((m) => <option key={m} value={m}>{t(`requests.methods.${m}`)}</option>)}
              </select>
            </label>
            <button type="button" className="primary" disabled={busy} onClick={() => onDisclose(method)} data-testid="sar-disclose">{t('requests.disclose')}</button>
          </>
        )}
      </div>
      <div className="actions">
        <label>{t('requests.refuseReason')}<input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={1000} data-testid="sar-refuse-reason" /></label>
        <button type="button" className="danger" disabled={busy} onClick={() => onRefuse(reason)} data-testid="sar-refuse">{t('requests.refuse')}</button>
      </div>
    </section>
  );
}

export function SettingsPart({ settings, busy, error, onSave }: { settings: SubjectRequestSettings; busy: boolean; error: string | null; onSave(s: SubjectRequestSettings): void }) {
  const { t } = useTranslation('privacy');
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    onSave({ dueDays: Number(f.get('sar-due-days')), retentionDays: Number(f.get('sar-retention-days')) });
  };
  return (
    <form className="form sar-settings" onSubmit={submit} aria-label={t('requests.settings')} key={`${settings.dueDays}/${settings.retentionDays}`}>
      <label>{t('requests.dueDays')}<input type="number" name="sar-due-days" min={1} max={90} defaultValue={settings.dueDays} /></label>
      <label>{t('requests.retentionDays')}<input type="number" name="sar-retention-days" min={1} max={3650} defaultValue={settings.retentionDays} /></label>
      <button type="submit" disabled={busy}>{t('requests.saveSettings')}</button>
      {error && <span className="error" role="alert">{error}</span>}
    </form>
  );
}
