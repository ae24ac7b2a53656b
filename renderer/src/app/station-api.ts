import { createApi, type BaseQueryFn } from '@reduxjs/toolkit/query/react';
import { StationError, type CallInput, type CallName, type CallOutput, type ErrorInfo } from '../../../electron/contract';
import type { StationClient } from './station-client';

export interface ThunkExtra { client: StationClient }
interface CallArgs { name: CallName; input: unknown }

/** RTK Query over the StationClient: every endpoint is a contract call. */
const stationBaseQuery: BaseQueryFn<CallArgs, unknown, ErrorInfo> = async ({ name, input }, api) => {
  const { client } = api.extra as ThunkExtra;
  try {
    return { data: await client.call(name, input as CallInput<typeof name>) };
  } catch (err) {
    if (err instanceof StationError) return { error: { code: err.code, message: err.message } };
    return { error: { code: 'internal', message: String(err) } };
  }
};

const args = <K extends CallName>(name: K, input: CallInput<K>): CallArgs => ({ name, input });

export const stationApi = createApi({
  reducerPath: 'stationApi',
  baseQuery: stationBaseQuery,
  tagTypes: ['Status', 'Settings'],
  endpoints: (b) => ({
    status: b.query<CallOutput<'station.status'>, void>({ query: () => args('station.status', {}), providesTags: ['Status'] }),
    settings: b.query<CallOutput<'settings.get'>, void>({ query: () => args('settings.get', {}), providesTags: ['Settings'] }),
    updateSettings: b.mutation<CallOutput<'settings.update'>, CallInput<'settings.update'>>({
      query: (patch) => args('settings.update', patch),
      invalidatesTags: ['Settings', 'Status'],
    }),
  }),
});

export const { useStatusQuery, useSettingsQuery, useUpdateSettingsMutation } = stationApi;
