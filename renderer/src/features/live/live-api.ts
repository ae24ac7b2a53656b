import type { CallInput } from '../../../../electron/contract';
import { callMutation, callQuery, stationApi } from '../../app/station-api';

const api = stationApi.enhanceEndpoints({ addTagTypes: ['Channels', 'Clips'] }).injectEndpoints({
  endpoints: (b) => ({
    channels: callQuery(b, 'channels.list', { providesTags: ['Channels'] }),
    addChannel: callMutation(b, 'channels.addRtsp', { invalidatesTags: ['Channels'] }),
    removeChannel: callMutation(b, 'channels.remove', { input: (id: number) => ({ id }), invalidatesTags: ['Channels'] }),
    snapshot: callMutation(b, 'live.snapshot', { input: (channelId: number) => ({ channelId }) }),
    retryStream: callMutation(b, 'streams.retry', { input: (streamId: string) => ({ streamId }) }),
    // Clips are the station's: a reloaded page finds its running ones here (and takes them over).
    clips: callQuery(b, 'live.clips', { providesTags: ['Clips'] }),
    startClip: callMutation(b, 'live.clipStart', { invalidatesTags: ['Clips'] }),
    stopClip: callMutation(b, 'live.clipStop', { invalidatesTags: ['Clips'] }),
    ptzMove: callMutation(b, 'live.ptz.move'),
    ptzStop: callMutation(b, 'live.ptz.stop', { input: (channelId: number) => ({ channelId }) }),
    // Asked for afresh each time (after a save too): the camera holds the list.
    ptzPresets: callQuery(b, 'live.ptz.presets', { input: (channelId: number) => ({ channelId }), keepUnusedDataFor: 0 }),
    ptzGotoPreset: callMutation(b, 'live.ptz.gotoPreset'),
    ptzSetPreset: callMutation(b, 'live.ptz.setPreset'),
  }),
});

export const {
  useChannelsQuery, useAddChannelMutation, useRemoveChannelMutation, useSnapshotMutation, useRetryStreamMutation,
  useClipsQuery, useStartClipMutation, useStopClipMutation, useLazyPtzPresetsQuery, usePtzGotoPresetMutation, usePtzSetPresetMutation,
} = api;
export const liveApi = api;

// Sent many times a minute and answered with nothing to show: not kept in the store (a hook's mutation would be).
export const ptzMove = (input: CallInput<'live.ptz.move'>) => api.endpoints.ptzMove.initiate(input, { track: false });
export const ptzStop = (channelId: number) => api.endpoints.ptzStop.initiate(channelId, { track: false });
