import { createAsyncThunk } from '@reduxjs/toolkit';
import {
  createApi, type BaseQueryFn, type EndpointBuilder, type MutationDefinition, type MutationExtraOptions,
  type QueryDefinition, type QueryExtraOptions,
} from '@reduxjs/toolkit/query/react';
import { StationError, type CallInput, type CallName, type CallOutput, type ErrorInfo } from '../../../electron/contract';
import type { StationClient } from './station-client';

export interface ThunkExtra { client: StationClient }
/** A slice's thunk that reaches the station through `extra.client` (for calls whose result is view state, not cached data). */
export const stationThunk = createAsyncThunk.withTypes<{ extra: ThunkExtra }>();
/** Built only by `callQuery`/`callMutation`, whose signatures check the input against the call's name. */
interface CallArgs { name: CallName; input: unknown }

/** RTK Query over the StationClient: every endpoint is a contract call. */
const stationBaseQuery: BaseQueryFn<CallArgs, unknown, ErrorInfo> = async ({ name, input }, api) => {
  const { client } = api.extra as ThunkExtra;
  try {
    return { data: await client.call(name, input as CallInput<CallName>) };
  } catch (err) {
    if (err instanceof StationError) return { error: err.info };
    return { error: { code: 'internal', message: err instanceof Error ? err.message : String(err) } };
  }
};

type StationBaseQuery = typeof stationBaseQuery;
/** The builder a feature's `injectEndpoints` gets (each feature adds its own tag types). */
type Builder<Tag extends string> = EndpointBuilder<StationBaseQuery, Tag, 'stationApi'>;
// Tags are taken from the builder alone, so a tag the feature did not declare is an error.
type TagOf<B> = B extends Builder<infer Tag> ? Tag : never;
/** A call that takes no input gives a hook that takes no argument. */
type ArgOf<K extends CallName> = CallInput<K> extends Record<string, never> ? void : CallInput<K>;
/** `input` maps the hook's argument to the call's input; it may be left out only where the argument is the input. */
type InputOpt<K extends CallName, Arg> = [Arg] extends [ArgOf<K>] ? { input?: (arg: Arg) => CallInput<K> } : { input: (arg: Arg) => CallInput<K> };

type QueryExtras<Tag extends string, K extends CallName, Arg> =
  Pick<QueryExtraOptions<Tag, CallOutput<K>, Arg, StationBaseQuery, 'stationApi'>, 'providesTags' | 'keepUnusedDataFor'>;
type MutationExtras<Tag extends string, K extends CallName, Arg> =
  Pick<MutationExtraOptions<Tag, CallOutput<K>, Arg, StationBaseQuery, 'stationApi'>, 'invalidatesTags'>;
/** What the implementations below see: the signatures above them do the checking. */
interface AnyInput { input?: (arg: unknown) => unknown }

// The hook's argument is the input unless `input` maps it; a call without input gets `{}`.
const callArgs = (name: CallName, { input }: AnyInput, arg: unknown): CallArgs => ({ name, input: input ? input(arg) : arg ?? {} });

/** A query endpoint for one contract call: its argument and result types come from the call's name (or from `input`). */
export function callQuery<B extends Builder<string>, K extends CallName, Arg = ArgOf<K>>(b: B, name: K, opts?: QueryExtras<TagOf<B>, K, Arg> & InputOpt<K, Arg>):
  QueryDefinition<NoInfer<Arg>, StationBaseQuery, TagOf<B>, CallOutput<K>, 'stationApi'>;
export function callQuery<K extends CallName>(b: Builder<string>, name: K, opts: QueryExtras<string, K, unknown> & AnyInput = {}) {
  const { input: _, ...extras } = opts;
  return b.query<CallOutput<K>, unknown>({ ...extras, query: (arg) => callArgs(name, opts, arg) });
}

/** A mutation endpoint for one contract call: its argument and result types come from the call's name (or from `input`). */
export function callMutation<B extends Builder<string>, K extends CallName, Arg = ArgOf<K>>(b: B, name: K, opts?: MutationExtras<TagOf<B>, K, Arg> & InputOpt<K, Arg>):
  MutationDefinition<NoInfer<Arg>, StationBaseQuery, TagOf<B>, CallOutput<K>, 'stationApi'>;
export function callMutation<K extends CallName>(b: Builder<string>, name: K, opts: MutationExtras<string, K, unknown> & AnyInput = {}) {
  const { input: _, ...extras } = opts;
  return b.mutation<CallOutput<K>, unknown>({ ...extras, query: (arg) => callArgs(name, opts, arg) });
}

export const stationApi = createApi({
  reducerPath: 'stationApi',
  baseQuery: stationBaseQuery,
  tagTypes: ['Status', 'Settings'],
  endpoints: (b) => ({
    status: callQuery(b, 'station.status', { providesTags: ['Status'] }),
    settings: callQuery(b, 'settings.get', { providesTags: ['Settings'] }),
    updateSettings: callMutation(b, 'settings.update', { invalidatesTags: ['Settings', 'Status'] }),
  }),
});

export const { useStatusQuery, useSettingsQuery, useUpdateSettingsMutation } = stationApi;
