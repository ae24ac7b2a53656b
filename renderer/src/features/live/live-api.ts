import type { CallInput, CallOutput } from '../../../../electron/contract';
import { stationApi } from '../../app/station-api';

const api = stationApi.enhanceEndpoints({ addTagTypes: ['Channels'] }).injectEndpoints({
  endpoints: (b) => ({
    channels: b.query<CallOutput<'channels.list'>, void>({ query: () => ({ name: 'channels.list', input: {} }), providesTags: ['Channels'] }),
    addChannel: b.mutation<CallOutput<'channels.addRtsp'>, CallInput<'channels.addRtsp'>>({
      query: (input) => ({ name: 'channels.addRtsp', input }),
      invalidatesTags: ['Channels'],
    }),
    removeChannel: b.mutation<CallOutput<'channels.remove'>, number>({
      query: (id) => ({ name: 'channels.remove', input: { id } }),
      invalidatesTags: ['Channels'],
    }),
    snapshot: b.mutation<CallOutput<'live.snapshot'>, number>({ query: (channelId) => ({ name: 'live.snapshot', input: { channelId } }) }),
    retryStream: b.mutation<CallOutput<'streams.retry'>, string>({ query: (streamId) => ({ name: 'streams.retry', input: { streamId } }) }),
  }),
});

export const { useChannelsQuery, useAddChannelMutation, useRemoveChannelMutation, useSnapshotMutation, useRetryStreamMutation } = api;
export const liveApi = api;
