import { useMemo } from 'react';
import type { MaskPoint, PrivacyMask } from '../../../../electron/contract';
import { useMasksQuery } from './redaction-api';

/** Every channel's masks, and the outlines a page draws over a channel (those not lifted for this session). */
export function useChannelMasks(): { all: PrivacyMask[]; shownOn: (channelId: number) => MaskPoint[][] } {
  const { data } = useMasksQuery();
  return useMemo(() => {
    const by = new Map<number, MaskPoint[][]>();
    for (const m of data ?? []) if (!m.lifted) by.set(m.channelId, [...(by.get(m.channelId) ?? []), m.points]);
    return { all: data ?? [], shownOn: (id: number) => by.get(id) ?? [] };
  }, [data]);
}
