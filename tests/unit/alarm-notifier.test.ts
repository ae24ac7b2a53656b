// The Electron main process's alarm notifications, against a fake Notification (Electron objects are passed in), in the chosen language.
import type { NativeImage, NotificationConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import type { AlarmNotice, StationEvent } from '../../electron/contract';
import { SignalBus } from '../../electron/core/signal-bus';
import { bindAlarmNotifications, bindReminderNotifications, notificationOptions, reminderText } from '../../electron/main/alarm-notifier';
import { wordsFor, type Words } from '../../electron/main/i18n';

const event: StationEvent = {
  id: 7, channelId: 3, type: 'door', source: 'onvif', start: Date.UTC(2026, 0, 5, 12, 30), end: null, value: null, unit: null, detail: '',
  hasSnapshot: true, ruleId: 2, acknowledged: false, ackNote: null, ackAt: null,
};
const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);
const notice = (over: Partial<AlarmNotice> = {}): AlarmNotice => ({ event, ruleId: 2, ruleName: 'Back gate', actions: ['notify', 'sound'], snapshotBase64: jpeg.toString('base64'), ...over });

/** Records what it was given; a fake NativeImage that remembers its bytes. */
function fakes(supported = true, words: Words = wordsFor('en')) {
  const shown: { options: NotificationConstructorOptions; handlers: Map<string, () => void> }[] = [];
  class FakeNotification {
    static isSupported = () => supported;
    rec: (typeof shown)[number];
    constructor(options: NotificationConstructorOptions) {
      this.rec = { options, handlers: new Map() };
    }
    on(ev: 'click' | 'close', l: () => void) {
      this.rec.handlers.set(ev, l);
      return this;
    }
    show() {
      shown.push(this.rec);
    }
  }
  const imageFromJpeg = (b: Buffer) => ({ bytes: Buffer.from(b) }) as unknown as NativeImage;
  return { shown, deps: { Notification: FakeNotification, imageFromJpeg, words: () => words } };
}

describe('alarm notifications in Electron', () => {
  const en = wordsFor('en');
  const time = (lng: string) => new Intl.DateTimeFormat(lng, { timeStyle: 'medium' }).format(event.start);

  it('maps an alarm to title, body and the snapshot image', () => {
    const o = notificationOptions(notice(), fakes().deps.imageFromJpeg, en)!;
    expect(o.title).toBe('Back gate: Door/window');
    expect(o.body).toBe(time('en'));
    expect((o.icon as unknown as { bytes: Buffer }).bytes.equals(jpeg)).toBe(true);
    const temp = notificationOptions(notice({ event: { ...event, type: 'temperature', value: 41.5, unit: '°C', detail: 'server room' }, snapshotBase64: null }), fakes().deps.imageFromJpeg, en)!;
    expect(temp.body).toBe(`${time('en')} 41.5 °C · server room`);
    expect(temp.icon).toBeUndefined();
    expect(notificationOptions(notice({ actions: ['sound', 'mark'] }), fakes().deps.imageFromJpeg, en)).toBeUndefined();
  });

  it('words it in the language chosen in Settings: German', () => {
    const temp = notificationOptions(notice({ ruleName: 'Serverraum', event: { ...event, type: 'temperature', value: 41.5, unit: '°C', detail: '' } }), fakes().deps.imageFromJpeg, wordsFor('de'))!;
    expect(temp.title).toBe('Serverraum: Temperatur');
    expect(temp.body).toBe(`${time('de')} 41,5 °C`);
    expect(time('de')).toMatch(/^\d\d:\d\d:\d\d$/);
    expect(notificationOptions(notice(), fakes().deps.imageFromJpeg, wordsFor('zh'))!.title).toBe('Back gate：门/窗');
  });

  it('asks for the language at each alarm, so a change in Settings shows in the next one', () => {
    const bus = new SignalBus();
    let words = wordsFor('en');
    const { shown, deps } = fakes();
    const dispose = bindAlarmNotifications(bus, { ...deps, words: () => words }, () => {});
    bus.emit('alarm.raised', notice());
    words = wordsFor('es');
    bus.emit('alarm.raised', notice());
    expect(shown.map((s) => s.options.title)).toEqual(['Back gate: Door/window', 'Back gate: Puerta/ventana']);
    dispose();
  });

  it('shows one per notifying alarm from the bus and reports the click with the alarm', () => {
    const bus = new SignalBus();
    const { shown, deps } = fakes();
    const clicked: AlarmNotice[] = [];
    const dispose = bindAlarmNotifications(bus, deps, (n) => clicked.push(n));
    bus.emit('alarm.raised', notice());
    bus.emit('alarm.raised', notice({ actions: ['popup'] }));
    bus.emit('event.changed', event);
    expect(shown).toHaveLength(1);
    shown[0]!.handlers.get('click')!();
    expect(clicked.map((n) => [n.event.id, n.event.channelId])).toEqual([[7, 3]]);
    dispose();
    bus.emit('alarm.raised', notice());
    expect(shown).toHaveLength(1);
    expect(bus.size).toBe(0);
  });

  it('shows nothing where the OS has no notifications', () => {
    const bus = new SignalBus();
    const { shown, deps } = fakes(false);
    const dispose = bindAlarmNotifications(bus, deps, () => {});
    bus.emit('alarm.raised', notice());
    expect(shown).toHaveLength(0);
    dispose();
  });
});

describe('subject access request reminders in Electron', () => {
  const due = (level: 'week' | 'day' | 'overdue') => ({ due: [{ id: 4, reference: 'SAR-0004', dueAt: Date.UTC(2026, 11, 9, 12), level }] });

  it('words the reminder in the chosen language', () => {
    expect(reminderText(due('week').due[0]!, wordsFor('en'))).toEqual({ title: 'SAR-0004 is due within a week', body: 'Subject access request due on Dec 9, 2026' });
    expect(reminderText(due('overdue').due[0]!, wordsFor('de')).title).toBe('SAR-0004 ist überfällig');
  });

  it('shows each request once per level it reaches, silent; a click opens the register', () => {
    const bus = new SignalBus();
    const { shown, deps } = fakes();
    let opened = 0;
    const dispose = bindReminderNotifications(bus, deps, () => opened++);
    bus.emit('subjectRequests.reminders', due('week'));
    bus.emit('subjectRequests.reminders', due('week'));
    bus.emit('subjectRequests.reminders', due('day'));
    bus.emit('subjectRequests.reminders', { due: [] });
    expect(shown.map((s) => s.options.title)).toEqual(['SAR-0004 is due within a week', 'SAR-0004 is due tomorrow']);
    expect(shown.every((s) => s.options.silent)).toBe(true);
    shown[1]!.handlers.get('click')!();
    expect(opened).toBe(1);
    dispose();
    bus.emit('subjectRequests.reminders', due('overdue'));
    expect(shown).toHaveLength(2);
  });
});
