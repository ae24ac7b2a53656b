import type { CallInput, CallOutput } from '../../../../electron/contract';
import { stationApi } from '../../app/station-api';

const api = stationApi.enhanceEndpoints({ addTagTypes: ['Devices', 'Channels'] }).injectEndpoints({
  endpoints: (b) => ({
    devices: b.query<CallOutput<'devices.list'>, void>({ query: () => ({ name: 'devices.list', input: {} }), providesTags: ['Devices'] }),
    scanResults: b.query<CallOutput<'devices.scanResults'>, void>({ query: () => ({ name: 'devices.scanResults', input: {} }) }),
    interfaces: b.query<CallOutput<'devices.interfaces'>, void>({ query: () => ({ name: 'devices.interfaces', input: {} }) }),
    scan: b.mutation<CallOutput<'devices.scan'>, CallInput<'devices.scan'>>({ query: (input) => ({ name: 'devices.scan', input }) }),
    activate: b.mutation<CallOutput<'devices.activate'>, CallInput<'devices.activate'>>({ query: (input) => ({ name: 'devices.activate', input }) }),
    addDevice: b.mutation<CallOutput<'devices.add'>, CallInput<'devices.add'>>({
      query: (input) => ({ name: 'devices.add', input }), invalidatesTags: ['Devices', 'Channels'],
    }),
    removeDevice: b.mutation<CallOutput<'devices.remove'>, number>({
      query: (id) => ({ name: 'devices.remove', input: { id } }), invalidatesTags: ['Devices', 'Channels'],
    }),
  }),
});

export const {
  useDevicesQuery, useScanResultsQuery, useInterfacesQuery, useScanMutation, useActivateMutation, useAddDeviceMutation, useRemoveDeviceMutation,
} = api;
export const devicesApi = api;
