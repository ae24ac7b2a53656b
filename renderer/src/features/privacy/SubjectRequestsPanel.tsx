// The Privacy page's Requests tab: the subject access request register, one request's search helpers, exports and steps.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Channel, SubjectRequest } from '../../../../electron/contract';
import { useAppDispatch } from '../../app/hooks';
import { navigated } from '../../app/store';
import { formatDateTime } from '../../i18n/format';
import { useErrorText } from '../../i18n/errors';
import { useEventsQuery } from '../events/events-api';
import { useChannelsQuery } from '../live/live-api';
import { useBookmarksQuery, useMotionSearchMutation } from '../recording/recording-api';
import { playbackActions } from '../recording/playback-slice';
import {
  useAdvanceSubjectRequestMutation, useAttachExportMutation, useCreateSubjectRequestMutation, useDetachExportMutation,
  useDiscloseSubjectRequestMutation, useRedactedExportsQuery, useRefuseSubjectRequestMutation, useSubjectRequestEvents,
  useSubjectRequestsQuery, useUpdateSubjectRequestMutation, useUpdateSubjectRequestSettingsMutation,
} from './subject-requests-api';
import {
  CameraPicks, ExportsPart, ReminderBadge, RequestForm, RequestRows, SearchHelpers, SettingsPart, StepsPart, toLocalInput, WindowsEditor, windowsFromInputs, windowsToInputs,
  type NewRequest,
} from './SubjectRequestParts';

const WHOLE_PICTURE = '1'.repeat(576);

export function SubjectRequestsPanel() {
  const { t } = useTranslation('privacy');
  const errorText = useErrorText();
  useSubjectRequestEvents();
  const { data } = useSubjectRequestsQuery();
  const { data: channels = [] } = useChannelsQuery();
  const [creating, setCreating] = useState(false);
  const [selected, setSelected] = useState<number | null>(null);
  const [create, createState] = useCreateSubjectRequestMutation();
  const [saveSettings, settingsState] = useUpdateSubjectRequestSettingsMutation();
  const requests = data?.requests ?? [];
  const request = requests.find((r) => r.id === selected) ?? null;
  const due = requests.filter((r) => r.reminder !== 'none');

  const submit = async (n: NewRequest) => {
    const r = await create({ person: { name: n.name, contact: n.contact, notes: n.notes }, receivedAt: n.receivedAt, ...(n.dueAt ? { dueAt: n.dueAt } : {}), channelIds: n.channelIds, windows: n.windows });
    if ('data' in r && r.data) { setCreating(false); setSelected(r.data.id); }
  };

  return (
    <section className="panel sar" aria-labelledby="sar-title" data-section="subject-requests">
      <h2 id="sar-title">{t('requests.title')}</h2>
      <p className="muted small">{t('requests.intro')}</p>
      {due.length > 0 && (
        <div role="status" data-testid="sar-reminders">
          <ul className="sar-due">
            {due.map((r) => (
              <li key={r.id}><ReminderBadge request={r} /> {t(`requests.reminderText.${r.reminder}`, { reference: r.reference, date: formatDateTime(r.dueAt, { dateStyle: 'medium' }) })}</li>
            ))}
          </ul>
        </div>
      )}
      <div className="actions">
        {!creating && <button type="button" className="primary" onClick={() => setCreating(true)} data-testid="sar-new">{t('requests.new')}</button>}
      </div>
      {creating && data && (
        <RequestForm channels={channels} settings={data.settings} busy={createState.isLoading} error={createState.error ? errorText(createState.error) : null}
          onSubmit={(n) => void submit(n)} onCancel={() => { setCreating(false); createState.reset(); }} />
      )}
      <RequestRows requests={requests} selected={selected} onSelect={setSelected} />
      {request && <RequestDetail key={request.id} request={request} channels={channels} channelName={(id) => channels.find((c) => c.id === id)?.name ?? t('requests.camera', { id })} />}
      {data && (
        <details className="sar-settings-box">
          <summary>{t('requests.settings')}</summary>
          <SettingsPart settings={data.settings} busy={settingsState.isLoading} error={settingsState.error ? errorText(settingsState.error) : null} onSave={(s) => void saveSettings(s)} />
        </details>
      )}
    </section>
  );
}

function RequestDetail({ request, channels, channelName }: { request: SubjectRequest; channels: Channel[]; channelName(id: number): string }) {
  const { t } = useTranslation('privacy');
  const errorText = useErrorText();
  const dispatch = useAppDispatch();
  const [windowIndex, setWindowIndex] = useState(0);
  // The cameras and windows as edited here, saved with the due date and notes.
  const [picked, setPicked] = useState(request.channelIds);
  const [windows, setWindows] = useState(() => windowsToInputs(request.windows));
  const w = request.windows[windowIndex] ?? request.windows[0]!;
  const range = { channelIds: request.channelIds, from: w.from, to: w.to };
  const { data: events } = useEventsQuery({ ...range, limit: 200 });
  const { data: bookmarks } = useBookmarksQuery({ ...range, limit: 200 });
  const [searchMotion, motionState] = useMotionSearchMutation();
  const { data: exports = [] } = useRedactedExportsQuery();
  const [update, updateState] = useUpdateSubjectRequestMutation();
  const [advance, advanceState] = useAdvanceSubjectRequestMutation();
  const [attach, attachState] = useAttachExportMutation();
  const [detach, detachState] = useDetachExportMutation();
  const [disclose, discloseState] = useDiscloseSubjectRequestMutation();
  const [refuse, refuseState] = useRefuseSubjectRequestMutation();
  const states = [updateState, advanceState, attachState, detachState, discloseState, refuseState];
  const busy = states.some((s) => s.isLoading);
  const failed = states.find((s) => s.error)?.error;
  const clear = () => states.forEach((s) => s.reset());
  const motionKey = `${request.id}/${windowIndex}`;
  const motion = motionState.originalArgs && `${request.id}/${request.windows.findIndex((x) => x.from === motionState.originalArgs!.from)}` === motionKey ? motionState.data?.hits : undefined;

  const play = (at: number, channelId: number) => {
    dispatch(playbackActions.jumpRequested({ at, channelId }));
    dispatch(navigated('playback'));
    history.replaceState(null, '', '#/playback');
  };
  const saveDetails = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    clear();
    setWindowIndex(0);
    void update({
      id: request.id, person: { ...request.person, notes: String(f.get('sar-edit-notes') ?? '') }, dueAt: new Date(`${String(f.get('sar-edit-due'))}T12:00`).getTime(),
      channelIds: picked, windows: windowsFromInputs(windows),
    });
  };
  const open = !request.closedAt;

  return (
    <article className="sar-detail" aria-label={request.reference} data-testid="sar-detail" data-state={request.state}>
      <h3>{request.reference} · {request.person.name} <span className={`sar-state sar-${request.state}`} data-testid="sar-state">{t(`requests.states.${request.state}`)}</span> <ReminderBadge request={request} /></h3>
      <dl className="sar-facts">
        <dt>{t('requests.contact')}</dt><dd>{request.person.contact}</dd>
        <dt>{t('requests.received')}</dt><dd>{formatDateTime(request.receivedAt, { dateStyle: 'medium' })}</dd>
      </dl>
      <form className="form sar-edit" onSubmit={saveDetails} aria-label={t('requests.details')}>
        <label>{t('requests.due')}<input type="date" name="sar-edit-due" defaultValue={toLocalInput(request.dueAt).slice(0, 10)} disabled={!open} /></label>
        <CameraPicks channels={channels} picked={picked} disabled={!open} onChange={setPicked} />
        <WindowsEditor windows={windows} disabled={!open} onChange={setWindows} />
        <label className="wide">{t('requests.notes')}<textarea name="sar-edit-notes" rows={2} defaultValue={request.person.notes} disabled={!open} maxLength={4000} /></label>
        {open && <button type="submit" disabled={busy}>{t('requests.save')}</button>}
      </form>
      <SearchHelpers request={request} windowIndex={windowIndex} channelName={channelName} motionBusy={motionState.isLoading}
        findings={{ events, bookmarks, motion }} onWindow={setWindowIndex} onPlay={play}
        onMotion={() => void searchMotion({ source: 'local', channelIds: request.channelIds, from: w.from, to: Math.min(w.to, Date.now()), region: WHOLE_PICTURE })} />
      <ExportsPart request={request} exports={exports} busy={busy}
        onAttach={(exportId) => { clear(); void attach({ id: request.id, exportId }); }}
        onDetach={(exportId) => { clear(); void detach({ id: request.id, exportId }); }} />
      <StepsPart request={request} busy={busy}
        onAdvance={(state) => { clear(); void advance({ id: request.id, state }); }}
        onDisclose={(method) => { clear(); void disclose({ id: request.id, method, exportIds: request.exportIds }); }}
        onRefuse={(reason) => { clear(); void refuse({ id: request.id, reason }); }} />
      {failed && <p className="error" role="alert" data-testid="sar-error">{errorText(failed)}</p>}
    </article>
  );
}
