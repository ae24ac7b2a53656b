import { createContext, useContext } from 'react';
import type { StationClient } from './station-client';

export const ClientContext = createContext<StationClient | null>(null);

export function useStationClient(): StationClient {
  const c = useContext(ClientContext);
  if (!c) throw new Error('no StationClient provided');
  return c;
}
