import { useEffect } from 'react';
import { useAppDispatch } from '../../app/hooks';
import { useStationClient } from '../../app/client-context';
import { callMutation, callQuery, stationApi } from '../../app/station-api';

const api = stationApi.enhanceEndpoints({ addTagTypes: ['Mqtt'] }).injectEndpoints({
  endpoints: (b) => ({
    mqtt: callQuery(b, 'mqtt.get', { providesTags: ['Mqtt'] }),
    setMqtt: callMutation(b, 'mqtt.set', { invalidatesTags: ['Mqtt'] }),
    testMqtt: callMutation(b, 'mqtt.test'),
  }),
});

export const { useMqttQuery, useSetMqttMutation, useTestMqttMutation } = api;

/** Keeps the connection status shown current with the station's mqtt.status pushes. */
export function useMqttStatus(): void {
  const client = useStationClient();
  // The injected endpoints widen the API's tag types, which the store's dispatch type does not know of.
  const dispatch = useAppDispatch() as unknown as (thunk: unknown) => void;
  useEffect(() => client.on('mqtt.status', (status) => {
    dispatch(api.util.updateQueryData('mqtt', undefined, (draft) => { draft.status = status; }));
  }), [client, dispatch]);
}
