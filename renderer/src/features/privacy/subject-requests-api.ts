// RTK Query endpoints of the subject access request register, and its signals into the store while its tab is open.
import type { ThunkDispatch, UnknownAction } from '@reduxjs/toolkit';
import { useEffect } from 'react';
import { useAppDispatch } from '../../app/hooks';
import { callMutation, callQuery, stationApi, type ThunkExtra } from '../../app/station-api';

const REGISTER = ['SubjectRequests'] as const;

export const subjectRequestsApi = stationApi.enhanceEndpoints({ addTagTypes: ['SubjectRequests', 'RedactedExports'] }).injectEndpoints({
  endpoints: (b) => ({
    subjectRequests: callQuery(b, 'subjectRequests.list', { providesTags: REGISTER }),
    createSubjectRequest: callMutation(b, 'subjectRequests.create', { invalidatesTags: REGISTER }),
    updateSubjectRequest: callMutation(b, 'subjectRequests.update', { invalidatesTags: REGISTER }),
    advanceSubjectRequest: callMutation(b, 'subjectRequests.advance', { invalidatesTags: REGISTER }),
    attachExport: callMutation(b, 'subjectRequests.attach', { invalidatesTags: [...REGISTER, 'RedactedExports'] }),
    detachExport: callMutation(b, 'subjectRequests.detach', { invalidatesTags: [...REGISTER, 'RedactedExports'] }),
    discloseSubjectRequest: callMutation(b, 'subjectRequests.disclose', { invalidatesTags: [...REGISTER, 'RedactedExports'] }),
    refuseSubjectRequest: callMutation(b, 'subjectRequests.refuse', { invalidatesTags: [...REGISTER, 'RedactedExports'] }),
    updateSubjectRequestSettings: callMutation(b, 'subjectRequests.updateSettings', { invalidatesTags: REGISTER }),
    // The redacted exports a request may take (the redaction area's list).
    redactedExports: callQuery(b, 'redaction.list', { providesTags: ['RedactedExports'], keepUnusedDataFor: 0 }),
  }),
});

export const {
  useSubjectRequestsQuery, useCreateSubjectRequestMutation, useUpdateSubjectRequestMutation, useAdvanceSubjectRequestMutation,
  useAttachExportMutation, useDetachExportMutation, useDiscloseSubjectRequestMutation, useRefuseSubjectRequestMutation,
  useUpdateSubjectRequestSettingsMutation, useRedactedExportsQuery,
} = subjectRequestsApi;

type AnyThunkDispatch = ThunkDispatch<any, ThunkExtra, UnknownAction>;

const subscribe = () => (dispatch: AnyThunkDispatch, _getState: unknown, { client }: ThunkExtra) => {
  const refresh = () => dispatch(subjectRequestsApi.util.invalidateTags(['SubjectRequests']));
  const offs = [client.on('subjectRequests.changed', refresh), client.on('subjectRequests.reminders', refresh), client.on('redaction.progress', () => dispatch(subjectRequestsApi.util.invalidateTags(['RedactedExports'])))];
  return () => offs.forEach((off) => off());
};

/** Keeps the register live while it is shown (another desk's change, a reminder reached, an export finished). */
export function useSubjectRequestEvents(): void {
  const dispatch = useAppDispatch();
  useEffect(() => dispatch(subscribe()), [dispatch]);
}
