import { useEffect, useState } from 'react';
import type { FolderMove } from '../../../../electron/contract';
import { useStationClient } from '../../app/client-context';
import { useAppDispatch } from '../../app/hooks';
import { storageApi } from './storage-api';

/**
 * Keeps the storage page current with the station's pushes: each recorder's live state (recording.status), settings
 * changed elsewhere (recording.changed; sites.recordingChanged for another station's), a folder changed from Settings,
 * and the progress of moving recordings (returned: the latest archive.move).
 */
export function useStorageSignals(): FolderMove | null {
  const client = useStationClient();
  // The injected endpoints widen the API's tag types, which the store's dispatch type does not know of.
  const dispatch = useAppDispatch() as unknown as (action: unknown) => void;
  const [move, setMove] = useState<FolderMove | null>(null);
  useEffect(() => {
    const offs = [
      client.on('recording.status', (s) => dispatch(storageApi.util.upsertQueryData('recordingStatus', undefined, s))),
      client.on('settings.changed', () => dispatch(storageApi.util.invalidateTags(['RecordingConfig', 'Forecast']))),
      // Changed by someone else (another desk, another window), here or on a site this desk shows.
      client.on('recording.changed', () => dispatch(storageApi.util.invalidateTags(['RecordingConfig', 'Forecast']))),
      client.on('sites.recordingChanged', () => dispatch(storageApi.util.invalidateTags(['SiteRecording']))),
      client.on('archive.move', (m) => {
        setMove(m);
        if (m.state !== 'running') dispatch(storageApi.util.invalidateTags(['Forecast', 'Audit']));
      }),
    ];
    return () => { for (const off of offs) off(); };
  }, [client, dispatch]);
  return move;
}
