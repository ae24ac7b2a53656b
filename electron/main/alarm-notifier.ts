// Alarms as OS notifications from the main process: the catalogue's words in the chosen language and the alarm's snapshot as the image.
import type { NativeImage, NotificationConstructorOptions } from 'electron';
import type { AlarmNotice, SignalName, SubjectReminders } from '../contract';
import type { Words } from './i18n';

/** The parts of Electron's Notification this uses; passed in so the mapping is tested without Electron. */
export interface NotificationLike {
  on(event: 'click' | 'close', listener: () => void): unknown;
  show(): void;
}
export interface NotifierDeps {
  Notification: { isSupported(): boolean; new (options: NotificationConstructorOptions): NotificationLike };
  imageFromJpeg(jpeg: Buffer): NativeImage;
  /** The language now chosen, asked at each alarm. */
  words(): Words;
}

/** Title and body as the renderer's browser notification words them; the rule's name and the event's detail are the station's. */
export function alarmText(n: AlarmNotice, { lng, t }: Words): { title: string; body: string } {
  const e = n.event;
  const value = e.value !== null ? ` ${new Intl.NumberFormat(lng).format(e.value)}${e.unit ? ` ${e.unit}` : ''}` : '';
  const detail = e.detail ? ` · ${e.detail}` : '';
  const time = new Intl.DateTimeFormat(lng, { timeStyle: 'medium' }).format(e.start);
  return { title: t('events:alarm.notificationTitle', { rule: n.ruleId === null ? t('events:alarm.stationAlarm') : n.ruleName, type: t(`events:types.${e.type}`) }), body: `${time}${value}${detail}`.slice(0, 200) };
}

/** What the notification shows for an alarm; undefined when the rule does not notify. */
export function notificationOptions(n: AlarmNotice, imageFromJpeg: NotifierDeps['imageFromJpeg'], words: Words): NotificationConstructorOptions | undefined {
  if (!n.actions.includes('notify')) return undefined;
  const { title, body } = alarmText(n, words);
  const jpeg = n.snapshotBase64 ? Buffer.from(n.snapshotBase64, 'base64') : undefined;
  // The app plays its own chime for rules with 'sound'.
  return { title, body, silent: true, ...(jpeg?.length ? { icon: imageFromJpeg(jpeg) } : {}) };
}

/** Shows a notification per notifying alarm; a click calls onClick. Returns the disposer. */
export function bindAlarmNotifications(
  bus: { subscribe(listener: (name: SignalName, payload: unknown) => void): () => void },
  deps: NotifierDeps,
  onClick: (n: AlarmNotice) => void,
): () => void {
  // Held until closed: a notification that is garbage-collected loses its click handler.
  const shown = new Set<NotificationLike>();
  const unsubscribe = bus.subscribe((name, payload) => {
    if (name !== 'alarm.raised' || !deps.Notification.isSupported()) return;
    const n = payload as AlarmNotice;
    const options = notificationOptions(n, deps.imageFromJpeg, deps.words());
    if (!options) return;
    const note = new deps.Notification(options);
    shown.add(note);
    if (shown.size > 50) shown.delete(shown.values().next().value!);
    note.on('click', () => {
      shown.delete(note);
      onClick(n);
    });
    note.on('close', () => shown.delete(note));
    note.show();
  });
  return () => {
    unsubscribe();
    shown.clear();
  };
}

type DueReminder = SubjectReminders['due'][number];

/** A subject access request's reminder: which request, how near its due date, the date in the chosen language. */
export function reminderText(r: DueReminder, { lng, t }: Words): { title: string; body: string } {
  const date = new Intl.DateTimeFormat(lng, { dateStyle: 'medium' }).format(r.dueAt);
  return { title: t(`desktop:subjectRequest.${r.level}`, { reference: r.reference }), body: t('desktop:subjectRequest.body', { date }) };
}

/** Shows each open request's reminder once per level it reaches (a week before, a day before, overdue); a click calls onClick. */
export function bindReminderNotifications(
  bus: { subscribe(listener: (name: SignalName, payload: unknown) => void): () => void },
  deps: Pick<NotifierDeps, 'Notification' | 'words'>,
  onClick: () => void,
): () => void {
  const told = new Set<string>();
  const shown = new Set<NotificationLike>();
  const unsubscribe = bus.subscribe((name, payload) => {
    if (name !== 'subjectRequests.reminders' || !deps.Notification.isSupported()) return;
    for (const r of (payload as SubjectReminders).due) {
      const key = `${r.id}:${r.level}`;
      if (told.has(key)) continue;
      told.add(key);
      const note = new deps.Notification({ ...reminderText(r, deps.words()), silent: true });
      shown.add(note);
      note.on('click', () => { shown.delete(note); onClick(); });
      note.on('close', () => shown.delete(note));
      note.show();
    }
  });
  return () => {
    unsubscribe();
    shown.clear();
  };
}
