import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useStationClient } from '../../app/client-context';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { layoutById } from './layouts';
import { LIVE_STORAGE_KEY, liveActions, parsePersisted } from './live-slice';
import { LivePage } from './LivePage';

/**
 * A layout popped out to a window of its own: its grid alone, no navigation. It shows the main window's cameras as they
 * change (placed, a tour's step, an alarm's pop-up: the main window keeps them, this window hears of it) and pops an
 * alarm's camera up itself, since it hears the station's alarms like any other window.
 */
export function PopoutWindow() {
  const { t } = useTranslation('desktop');
  const dispatch = useAppDispatch();
  const client = useStationClient();
  const layout = useAppSelector((s) => layoutById(s.live.layoutId, s.live.custom));

  useEffect(() => {
    const onStorage = (e: StorageEvent) => {
      if (e.key === LIVE_STORAGE_KEY && e.newValue) dispatch(liveActions.followed(parsePersisted(e.newValue)));
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, [dispatch]);

  useEffect(() => client.on('alarm.raised', (n) => {
    if (n.actions.includes('popup') && n.event.channelId !== null) dispatch(liveActions.cameraShown(n.event.channelId));
  }), [client, dispatch]);

  const heading = t('popOut.heading', { layout: layout.label });
  useEffect(() => { document.title = `${heading} — Watchpost`; }, [heading]);

  return (
    <main className="popout" aria-label={heading}>
      <LivePage popout />
    </main>
  );
}
