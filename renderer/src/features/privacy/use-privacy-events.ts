// The privacy area's signals reach the store here, so store.ts needs no privacy knowledge.
import type { ThunkDispatch, UnknownAction } from '@reduxjs/toolkit';
import { useEffect } from 'react';
import { useAppDispatch } from '../../app/hooks';
import type { ThunkExtra } from '../../app/station-api';
import { privacyApi } from './privacy-api';

// The enhanced API's thunks carry its own state type; the store's dispatch runs them all the same.
type AnyThunkDispatch = ThunkDispatch<any, ThunkExtra, UnknownAction>;

const subscribe = () => (dispatch: AnyThunkDispatch, _getState: unknown, { client }: ThunkExtra) =>
  client.on('privacy.changed', (state) => {
    dispatch(privacyApi.util.upsertQueryData('privacyState', undefined, state));
    dispatch(privacyApi.util.invalidateTags(['PrivacyLedger', 'PrivacyConsents']));
  });

/** Keeps the privacy state live while the page is open; returns the unsubscribe to React. */
export function usePrivacyEvents(): void {
  const dispatch = useAppDispatch();
  useEffect(() => dispatch(subscribe()), [dispatch]);
}
