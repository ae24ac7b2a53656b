import { callMutation, callQuery, stationApi } from '../../app/station-api';

const api = stationApi.enhanceEndpoints({ addTagTypes: ['Devices', 'Channels', 'Cover'] }).injectEndpoints({
  endpoints: (b) => ({
    devices: callQuery(b, 'devices.list', { providesTags: ['Devices'] }),
    scanResults: callQuery(b, 'devices.scanResults'),
    interfaces: callQuery(b, 'devices.interfaces'),
    scan: callMutation(b, 'devices.scan'),
    activate: callMutation(b, 'devices.activate'),
    addDevice: callMutation(b, 'devices.add', { invalidatesTags: ['Devices', 'Channels'] }),
    probeStream: callMutation(b, 'devices.probeStream'),
    configure: callMutation(b, 'devices.configure', { invalidatesTags: ['Devices', 'Channels'] }),
    exportDevices: callMutation(b, 'devices.export'),
    importDevices: callMutation(b, 'devices.import', { invalidatesTags: ['Devices', 'Channels'] }),
    deviceTime: callQuery(b, 'devices.time', { input: (id: number) => ({ id }) }),
    removeDevice: callMutation(b, 'devices.remove', { invalidatesTags: ['Devices', 'Channels'] }),
    changePassword: callMutation(b, 'devices.changePassword'),
    resetStart: callMutation(b, 'devices.resetStart'),
    resetFinish: callMutation(b, 'devices.resetFinish', { invalidatesTags: ['Devices'] }),
    cover: callQuery(b, 'devices.cover', { input: (channelId: number) => ({ channelId }), providesTags: (_r, _e, id) => [{ type: 'Cover', id }] }),
    setCover: callMutation(b, 'devices.setCover', { invalidatesTags: (_r, _e, i) => ['Devices', { type: 'Cover', id: i.channelId }] }),
    removeCover: callMutation(b, 'devices.removeCover', {
      input: (channelId: number) => ({ channelId }), invalidatesTags: (_r, _e, id) => ['Devices', { type: 'Cover', id }],
    }),
    renameChannel: callMutation(b, 'channels.rename', { invalidatesTags: ['Devices', 'Channels'] }),
    setChannelLens: callMutation(b, 'channels.setLens', { invalidatesTags: ['Devices', 'Channels'] }),
  }),
});

export const {
  useDevicesQuery, useScanResultsQuery, useInterfacesQuery, useScanMutation, useActivateMutation, useAddDeviceMutation, useRemoveDeviceMutation,
  useConfigureMutation, useExportDevicesMutation, useImportDevicesMutation, useLazyDeviceTimeQuery,
  useChangePasswordMutation, useResetStartMutation, useResetFinishMutation, useCoverQuery, useSetCoverMutation, useRemoveCoverMutation, useRenameChannelMutation, useSetChannelLensMutation, useProbeStreamMutation,
} = api;
export const devicesApi = api;
