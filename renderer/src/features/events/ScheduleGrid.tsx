import i18next from 'i18next';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { shortcutOf } from '../../app/shortcuts';
import { formatNumber } from '../../i18n/format';

// A weekly schedule as 7 days x 48 half-hours (336 characters '0'/'1' from Monday 00:00, the contract's layout).

export const SLOTS_PER_DAY = 48;
/** The week's days from Monday, as keys of schedule.days (full names) and schedule.daysShort in the catalogue. */
export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const SLOTS = DAYS.length * SLOTS_PER_DAY;

const build = (on: (day: number, slot: number) => boolean) =>
  Array.from({ length: SLOTS }, (_, i) => (on(Math.floor(i / SLOTS_PER_DAY), i % SLOTS_PER_DAY) ? '1' : '0')).join('');
export const SCHEDULE_PRESETS = {
  Always: build(() => true),
  /** 18:00-07:00 every night. */
  Nights: build((_, s) => s < 14 || s >= 36),
  /** Monday to Friday, all day. */
  Weekdays: build((d) => d < 5),
  Clear: build(() => false),
} as const;

const hhmm = (slot: number) => `${String(Math.floor(slot / 2)).padStart(2, '0')}:${slot % 2 ? '30' : '00'}`;
export const slotLabel = (i: number) =>
  i18next.t('events:schedule.slot', { day: i18next.t(`events:schedule.days.${DAYS[Math.floor(i / SLOTS_PER_DAY)]}`), from: hhmm(i % SLOTS_PER_DAY), to: hhmm((i % SLOTS_PER_DAY) + 1) });

/** Hours a week the schedule covers, for the summary line. */
export function scheduleHours(schedule: string): number {
  let n = 0;
  for (const c of schedule) if (c === '1') n++;
  return n / 2;
}

/** A schedule's name in the chosen language: its preset's, else the hours a week it covers. */
export function scheduleName(schedule: string): string {
  const preset = (Object.keys(SCHEDULE_PRESETS) as (keyof typeof SCHEDULE_PRESETS)[]).find((k) => SCHEDULE_PRESETS[k] === schedule);
  return preset ? i18next.t(`events:schedule.presets.${preset.toLowerCase()}`) : i18next.t('events:schedule.hoursAWeek', { hours: formatNumber(scheduleHours(schedule)) });
}

export interface ScheduleGridProps {
  value: string;
  onChange: (schedule: string) => void;
  label: string;
}

/** Drag to paint (or erase, starting on a set cell); arrows move, Space toggles; presets fill the week. */
export function ScheduleGrid({ value, onChange, label }: ScheduleGridProps) {
  const { t } = useTranslation('events');
  const [active, setActive] = useState(0);
  const paint = useRef<'0' | '1' | null>(null);
  const latest = useRef(value);
  latest.current = value;
  const cells = useRef<(HTMLDivElement | null)[]>([]);

  useEffect(() => {
    const stop = () => (paint.current = null);
    window.addEventListener('pointerup', stop);
    window.addEventListener('pointercancel', stop);
    return () => {
      window.removeEventListener('pointerup', stop);
      window.removeEventListener('pointercancel', stop);
    };
  }, []);

  const set = (i: number, v: '0' | '1') => {
    const cur = latest.current;
    if (cur[i] === v) return;
    const next = cur.slice(0, i) + v + cur.slice(i + 1);
    latest.current = next;
    onChange(next);
  };
  const focusCell = (i: number) => {
    setActive(i);
    cells.current[i]?.focus();
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>, i: number) => {
    const day = Math.floor(i / SLOTS_PER_DAY);
    const slot = i % SLOTS_PER_DAY;
    const moves: Record<string, number> = {
      ArrowLeft: slot > 0 ? i - 1 : i, ArrowRight: slot < SLOTS_PER_DAY - 1 ? i + 1 : i,
      ArrowUp: day > 0 ? i - SLOTS_PER_DAY : i, ArrowDown: day < DAYS.length - 1 ? i + SLOTS_PER_DAY : i,
      Home: i - slot, End: i - slot + SLOTS_PER_DAY - 1,
    };
    const what = shortcutOf(e, 'schedule');
    if (what === 'schedule.move' || what === 'schedule.paint') {
      e.preventDefault();
      const to = moves[e.key]!;
      // Shift+arrow paints the cells it crosses with the value of the one it leaves.
      if (what === 'schedule.paint') set(to, latest.current[i] === '1' ? '1' : '0');
      focusCell(to);
    } else if (what === 'schedule.toggle') {
      e.preventDefault();
      set(i, latest.current[i] === '1' ? '0' : '1');
    }
  };

  return (
    <div className="sched" role="group" aria-label={label}>
      <div className="sched-presets">
        {(Object.keys(SCHEDULE_PRESETS) as (keyof typeof SCHEDULE_PRESETS)[]).map((k) => (
          <button key={k} type="button" onClick={() => onChange(SCHEDULE_PRESETS[k])} data-preset={k} aria-pressed={value === SCHEDULE_PRESETS[k]}>{t(`schedule.presets.${k.toLowerCase()}`)}</button>
        ))}
        <span className="muted" aria-live="polite">{t('schedule.hoursAWeek', { hours: formatNumber(scheduleHours(value)) })}</span>
      </div>
      <div className="sched-hours" aria-hidden="true">
        {Array.from({ length: 8 }, (_, k) => <span key={k}>{String(k * 3).padStart(2, '0')}</span>)}
      </div>
      <div role="grid" aria-label={t('schedule.gridLabel', { label })} className="sched-grid">
        {DAYS.map((d, day) => (
          <div role="row" key={d} className="sched-row">
            <span role="rowheader" className="sched-day">{t(`schedule.daysShort.${d}`)}</span>
            {Array.from({ length: SLOTS_PER_DAY }, (_, slot) => {
              const i = day * SLOTS_PER_DAY + slot;
              const on = value[i] === '1';
              return (
                <div
                  key={slot} role="gridcell" ref={(el) => void (cells.current[i] = el)} data-slot={i}
                  className={`sched-cell${on ? ' on' : ''}${slot % 2 === 0 ? ' hour' : ''}`}
                  aria-selected={on} aria-label={slotLabel(i)} tabIndex={i === active ? 0 : -1}
                  onKeyDown={(e) => onKey(e, i)} onFocus={() => setActive(i)}
                  onPointerDown={(e) => {
                    e.preventDefault();
                    // Pointer capture would keep every move on this cell; release it so pointerenter reaches the others.
                    (e.target as Element).releasePointerCapture?.(e.pointerId);
                    paint.current = on ? '0' : '1';
                    set(i, paint.current);
                    focusCell(i);
                  }}
                  onPointerEnter={() => {
                    if (paint.current) set(i, paint.current);
                  }}
                />
              );
            })}
          </div>
        ))}
      </div>
    </div>
  );
}
