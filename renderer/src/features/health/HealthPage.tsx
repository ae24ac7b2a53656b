import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppDispatch } from '../../app/hooks';
import { navigated } from '../../app/store';
import { errorText } from '../../i18n/errors';
import { liveActions } from '../live/live-slice';
import { useAuthStateQuery } from '../operators/operators-api';
import { mayView, useMay } from '../operators/rights';
import { useHealthSettingsQuery, useHealthStationsQuery, useUpdateHealthSettingsMutation } from './health-api';
import { StationCard } from './StationCard';
import './health.css';

/** "Alarm when a channel stops recording for longer than [60] s": for those who may change alarm rules. */
function AlarmSetting() {
  const { t } = useTranslation('health');
  const { data } = useHealthSettingsQuery();
  const [save, saving] = useUpdateHealthSettingsMutation();
  const [value, setValue] = useState<string | null>(null);
  const shown = value ?? String(data?.recordingStopAlarmS ?? '');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save({ recordingStopAlarmS: Number(shown) }).unwrap().then(() => setValue(null), () => {});
  };
  return (
    <form className="hl-setting" onSubmit={submit}>
      <label htmlFor="hl-alarm-after">{t('setting.label')}</label>
      <input id="hl-alarm-after" type="number" min={0} max={86400} step={1} value={shown} onChange={(e) => setValue(e.target.value)} aria-describedby="hl-alarm-hint" />
      <span className="muted">{t('setting.unit')}</span>
      <button type="submit" disabled={saving.isLoading || value === null}>{t('setting.save')}</button>
      <span id="hl-alarm-hint" className="muted">{t('setting.hint')}</span>
      {saving.error && <span className="error" role="alert">{errorText(saving.error)}</span>}
    </form>
  );
}

/** Every station the desk knows, one card each, refreshed every 5 s while shown. */
export function HealthPage() {
  const { t } = useTranslation('health');
  const dispatch = useAppDispatch();
  const me = useAuthStateQuery().data?.me ?? null;
  const mayAlarm = useMay('alarmRules');
  const { data, error, fulfilledTimeStamp } = useHealthStationsQuery(undefined, { pollingInterval: 5000 });
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  // A local channel's chip opens its camera in Live.
  const openChannel = mayView('live', me) ? (id: number) => {
    dispatch(liveActions.cameraShown(id));
    dispatch(navigated('live'));
    history.replaceState(null, '', '#/live');
  } : undefined;

  return (
    <section className="page hl-page" aria-labelledby="page-title">
      <header className="page-head">
        <h1 id="page-title" tabIndex={-1}>{t('title')}</h1>
        <span className="muted">{t('subtitle')}</span>
      </header>
      {mayAlarm && <AlarmSetting />}
      {error && <p className="error" role="alert">{errorText(error)}</p>}
      <div className="hl-cards">
        {data?.map((s) => <StationCard key={s.id} s={s} now={now} fetchedAt={fulfilledTimeStamp ?? now} onOpenChannel={s.id === 'local' ? openChannel : undefined} />)}
      </div>
    </section>
  );
}
