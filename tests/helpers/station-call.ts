// A typed call into an in-process station, for integration tests: the value, or its StationError thrown.
import { StationError, type CallName, type CallOutput } from '../../electron/contract';
import type { ClientSession } from '../../electron/core/client-session';
import type { Station } from '../../electron/core/station';

export async function stationCall<K extends CallName>(st: Station, session: ClientSession, name: K, input: unknown = {}): Promise<CallOutput<K>> {
  const r = await st.dispatch(name, input, session);
  if (!r.ok) throw StationError.from(r.error);
  return r.value as CallOutput<K>;
}
