import { skipToken } from '@reduxjs/toolkit/query/react';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { dateTimeFormat } from '../../i18n/format';
import { useArchiveDaysQuery } from './recording-api';

interface Props { source: string; channelIds: number[]; value: number; onPick(dayStart: number): void }

/** A month grid; days with recordings are marked. */
export function Calendar({ source, channelIds, value, onPick }: Props) {
  const { t } = useTranslation('recording');
  const [month, setMonth] = useState(() => { const d = new Date(value); return new Date(d.getFullYear(), d.getMonth(), 1).getTime(); });
  const first = new Date(month);
  const next = new Date(first.getFullYear(), first.getMonth() + 1, 1).getTime();
  const asked = useMemo(
    () => (channelIds.length === 0 ? skipToken : { source, channelIds, from: month, to: next, utcOffsetMinutes: -new Date(month).getTimezoneOffset() }),
    [source, channelIds.join(','), month],
  );
  const { data } = useArchiveDaysQuery(asked);
  // The marks stay as they are while no channel is chosen.
  const [days, setDays] = useState<Set<string>>(new Set());
  useEffect(() => { if (data) setDays(new Set(data)); }, [data]);
  const lead = (first.getDay() + 6) % 7;
  const count = new Date(first.getFullYear(), first.getMonth() + 1, 0).getDate();
  const key = (d: number) => `${first.getFullYear()}-${String(first.getMonth() + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  // Names from Intl in the language; noon of a mid-month day and of the week of Monday 5 Jan 2026 stay on their day in any time zone.
  const monthName = dateTimeFormat({ month: 'long', year: 'numeric' }).format(new Date(first.getFullYear(), first.getMonth(), 15, 12));
  const weekdays = Array.from({ length: 7 }, (_, i) => dateTimeFormat({ weekday: 'short' }).format(new Date(2026, 0, 5 + i, 12)));
  return (
    <div className="pb-cal" aria-label={t('calendar.label')}>
      <div className="pb-cal-head">
        <button type="button" aria-label={t('calendar.previousMonth')} onClick={() => setMonth(new Date(first.getFullYear(), first.getMonth() - 1, 1).getTime())}>‹</button>
        <span>{monthName}</span>
        <button type="button" aria-label={t('calendar.nextMonth')} onClick={() => setMonth(next)}>›</button>
      </div>
      <div className="pb-cal-grid">
        {weekdays.map((d, i) => <span key={i} className="muted">{d}</span>)}
        {Array.from({ length: lead }, (_, i) => <span key={`x${i}`} />)}
        {Array.from({ length: count }, (_, i) => i + 1).map((d) => (
          <button key={d} type="button" data-day={key(d)} className={days.has(key(d)) ? 'has-rec' : ''}
            onClick={() => onPick(new Date(first.getFullYear(), first.getMonth(), d).getTime())}>{d}</button>
        ))}
      </div>
    </div>
  );
}
