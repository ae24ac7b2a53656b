// RTK Query endpoints of the privacy area, injected into the one station API.
import type { CallInput, CallOutput, CallName } from '../../../../electron/contract';
import { stationApi } from '../../app/station-api';

const args = <K extends CallName>(name: K, input: CallInput<K>) => ({ name, input });

export const privacyApi = stationApi.enhanceEndpoints({ addTagTypes: ['Privacy', 'PrivacyLedger', 'PrivacyConsents'] }).injectEndpoints({
  endpoints: (b) => ({
    privacyState: b.query<CallOutput<'privacy.state'>, void>({ query: () => args('privacy.state', {}), providesTags: ['Privacy'] }),
    privacyConsents: b.query<CallOutput<'privacy.consents'>, void>({ query: () => args('privacy.consents', {}), providesTags: ['PrivacyConsents'] }),
    privacyLedger: b.query<CallOutput<'privacy.ledger'>, CallInput<'privacy.ledger'>>({
      query: (q) => args('privacy.ledger', q),
      providesTags: ['PrivacyLedger'],
    }),
    checkCloud: b.mutation<CallOutput<'privacy.checkCloud'>, void>({ query: () => args('privacy.checkCloud', {}), invalidatesTags: ['Privacy', 'PrivacyLedger'] }),
    signUp: b.mutation<CallOutput<'privacy.signUp'>, CallInput<'privacy.signUp'>>({
      query: (i) => args('privacy.signUp', i), invalidatesTags: ['Privacy', 'PrivacyLedger', 'PrivacyConsents'],
    }),
    logIn: b.mutation<CallOutput<'privacy.logIn'>, CallInput<'privacy.logIn'>>({
      query: (i) => args('privacy.logIn', i), invalidatesTags: ['Privacy', 'PrivacyLedger', 'PrivacyConsents'],
    }),
    logOut: b.mutation<CallOutput<'privacy.logOut'>, void>({ query: () => args('privacy.logOut', {}), invalidatesTags: ['Privacy', 'PrivacyLedger', 'PrivacyConsents'] }),
    updateProfile: b.mutation<CallOutput<'privacy.updateProfile'>, CallInput<'privacy.updateProfile'>>({
      query: (i) => args('privacy.updateProfile', i), invalidatesTags: ['Privacy'],
    }),
    setConsent: b.mutation<CallOutput<'privacy.setConsent'>, CallInput<'privacy.setConsent'>>({
      query: (i) => args('privacy.setConsent', i), invalidatesTags: ['Privacy', 'PrivacyConsents'],
    }),
    setRights: b.mutation<CallOutput<'privacy.setRights'>, CallInput<'privacy.setRights'>>({
      query: (i) => args('privacy.setRights', i), invalidatesTags: ['Privacy'],
    }),
    syncNow: b.mutation<CallOutput<'privacy.syncNow'>, void>({ query: () => args('privacy.syncNow', {}), invalidatesTags: ['Privacy', 'PrivacyLedger', 'PrivacyConsents'] }),
    exportData: b.mutation<CallOutput<'privacy.export'>, void>({ query: () => args('privacy.export', {}), invalidatesTags: ['PrivacyLedger'] }),
    erase: b.mutation<CallOutput<'privacy.erase'>, CallInput<'privacy.erase'>>({
      query: (i) => args('privacy.erase', i), invalidatesTags: ['Privacy', 'PrivacyLedger', 'PrivacyConsents'],
    }),
  }),
});

export const {
  usePrivacyStateQuery, usePrivacyConsentsQuery, usePrivacyLedgerQuery, useCheckCloudMutation, useSignUpMutation, useLogInMutation,
  useLogOutMutation, useUpdateProfileMutation, useSetConsentMutation, useSetRightsMutation, useSyncNowMutation, useExportDataMutation,
  useEraseMutation,
} = privacyApi;
