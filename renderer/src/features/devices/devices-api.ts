import type { CallInput, CallOutput } from '../../../../electron/contract';
import { stationApi } from '../../app/station-api';

const api = stationApi.enhanceEndpoints({ addTagTypes: ['Devices', 'Channels', 'Cover'] }).injectEndpoints({
  endpoints: (b) => ({
    devices: b.query<CallOutput<'devices.list'>, void>({ query: () => ({ name: 'devices.list', input: {} }), providesTags: ['Devices'] }),
    scanResults: b.query<CallOutput<'devices.scanResults'>, void>({ query: () => ({ name: 'devices.scanResults', input: {} }) }),
    interfaces: b.query<CallOutput<'devices.interfaces'>, void>({ query: () => ({ name: 'devices.interfaces', input: {} }) }),
    scan: b.mutation<CallOutput<'devices.scan'>, CallInput<'devices.scan'>>({ query: (input) => ({ name: 'devices.scan', input }) }),
    activate: b.mutation<CallOutput<'devices.activate'>, CallInput<'devices.activate'>>({ query: (input) => ({ name: 'devices.activate', input }) }),
    addDevice: b.mutation<CallOutput<'devices.add'>, CallInput<'devices.add'>>({
      query: (input) => ({ name: 'devices.add', input }), invalidatesTags: ['Devices', 'Channels'],
    }),
    configure: b.mutation<CallOutput<'devices.configure'>, CallInput<'devices.configure'>>({
      query: (input) => ({ name: 'devices.configure', input }), invalidatesTags: ['Devices', 'Channels'],
    }),
    exportDevices: b.mutation<CallOutput<'devices.export'>, CallInput<'devices.export'>>({ query: (input) => ({ name: 'devices.export', input }) }),
    importDevices: b.mutation<CallOutput<'devices.import'>, CallInput<'devices.import'>>({
      query: (input) => ({ name: 'devices.import', input }), invalidatesTags: ['Devices', 'Channels'],
    }),
    deviceTime: b.query<CallOutput<'devices.time'>, number>({ query: (id) => ({ name: 'devices.time', input: { id } }) }),
    removeDevice: b.mutation<CallOutput<'devices.remove'>, CallInput<'devices.remove'>>({
      query: (input) => ({ name: 'devices.remove', input }), invalidatesTags: ['Devices', 'Channels'],
    }),
    changePassword: b.mutation<CallOutput<'devices.changePassword'>, CallInput<'devices.changePassword'>>({
      query: (input) => ({ name: 'devices.changePassword', input }),
    }),
    cover: b.query<CallOutput<'devices.cover'>, number>({
      query: (channelId) => ({ name: 'devices.cover', input: { channelId } }), providesTags: (_r, _e, id) => [{ type: 'Cover', id }],
    }),
    setCover: b.mutation<CallOutput<'devices.setCover'>, CallInput<'devices.setCover'>>({
      query: (input) => ({ name: 'devices.setCover', input }), invalidatesTags: (_r, _e, i) => ['Devices', { type: 'Cover', id: i.channelId }],
    }),
    removeCover: b.mutation<CallOutput<'devices.removeCover'>, number>({
      query: (channelId) => ({ name: 'devices.removeCover', input: { channelId } }), invalidatesTags: (_r, _e, id) => ['Devices', { type: 'Cover', id }],
    }),
    renameChannel: b.mutation<CallOutput<'channels.rename'>, CallInput<'channels.rename'>>({
      query: (input) => ({ name: 'channels.rename', input }), invalidatesTags: ['Devices', 'Channels'],
    }),
  }),
});

export const {
  useDevicesQuery, useScanResultsQuery, useInterfacesQuery, useScanMutation, useActivateMutation, useAddDeviceMutation, useRemoveDeviceMutation,
  useConfigureMutation, useExportDevicesMutation, useImportDevicesMutation, useLazyDeviceTimeQuery,
  useChangePasswordMutation, useCoverQuery, useSetCoverMutation, useRemoveCoverMutation, useRenameChannelMutation,
} = api;
export const devicesApi = api;
