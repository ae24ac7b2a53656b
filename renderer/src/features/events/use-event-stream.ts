import { useEffect } from 'react';
import { useAppDispatch } from '../../app/hooks';
import { useStationClient } from '../../app/client-context';
import { eventsApi, matchesFilter, upsertEvent, type EventFilterArgs } from './events-api';

/** Keeps the cached list for these filters current with the station's event.changed pushes. */
export function useEventStream(filter: EventFilterArgs): void {
  const client = useStationClient();
  // The injected endpoints widen the API's tag types, which the store's dispatch type does not know of.
  const dispatch = useAppDispatch() as unknown as (thunk: unknown) => void;
  useEffect(() => client.on('event.changed', (e) => {
    dispatch(eventsApi.util.updateQueryData('events', filter, (draft) => upsertEvent(draft, e, matchesFilter(e, filter), filter.limit ?? 200)));
  }), [client, dispatch, filter]);
}
