// RTK Query endpoints of the privacy area, injected into the one station API.
import type { CallInput, CallOutput, CallName } from '../../../../electron/contract';
import { stationApi } from '../../app/station-api';

const args = <K extends CallName>(name: K, input: CallInput<K>) => ({ name, input });

export const privacyApi = stationApi.enhanceEndpoints({ addTagTypes: ['Privacy', 'PrivacyLedger', 'PrivacyConsents', 'PrivacyPhoto', 'PrivacySessions', 'PrivacyStorage', 'PrivacyHosting'] }).injectEndpoints({
  endpoints: (b) => ({
    privacyState: b.query<CallOutput<'privacy.state'>, void>({ query: () => args('privacy.state', {}), providesTags: ['Privacy'] }),
    privacyConsents: b.query<CallOutput<'privacy.consents'>, void>({ query: () => args('privacy.consents', {}), providesTags: ['PrivacyConsents'] }),
    privacyLedger: b.query<CallOutput<'privacy.ledger'>, CallInput<'privacy.ledger'>>({
      query: (q) => args('privacy.ledger', q),
      providesTags: ['PrivacyLedger'],
    }),
    checkCloud: b.mutation<CallOutput<'privacy.checkCloud'>, void>({ query: () => args('privacy.checkCloud', {}), invalidatesTags: ['Privacy', 'PrivacyLedger'] }),
    signUp: b.mutation<CallOutput<'privacy.signUp'>, CallInput<'privacy.signUp'>>({
      query: (i) => args('privacy.signUp', i), invalidatesTags: ['PrivacySessions', 'PrivacyPhoto', 'Privacy', 'PrivacyLedger', 'PrivacyConsents'],
    }),
    logIn: b.mutation<CallOutput<'privacy.logIn'>, CallInput<'privacy.logIn'>>({
      query: (i) => args('privacy.logIn', i), invalidatesTags: ['PrivacySessions', 'PrivacyPhoto', 'Privacy', 'PrivacyLedger', 'PrivacyConsents'],
    }),
    logOut: b.mutation<CallOutput<'privacy.logOut'>, void>({ query: () => args('privacy.logOut', {}), invalidatesTags: ['PrivacySessions', 'PrivacyPhoto', 'Privacy', 'PrivacyLedger', 'PrivacyConsents'] }),
    updateProfile: b.mutation<CallOutput<'privacy.updateProfile'>, CallInput<'privacy.updateProfile'>>({
      query: (i) => args('privacy.updateProfile', i), invalidatesTags: ['Privacy'],
    }),
    setConsent: b.mutation<CallOutput<'privacy.setConsent'>, CallInput<'privacy.setConsent'>>({
      query: (i) => args('privacy.setConsent', i), invalidatesTags: ['PrivacyHosting', 'Privacy', 'PrivacyConsents'],
    }),
    setRights: b.mutation<CallOutput<'privacy.setRights'>, CallInput<'privacy.setRights'>>({
      query: (i) => args('privacy.setRights', i), invalidatesTags: ['Privacy'],
    }),
    privacyPhoto: b.query<CallOutput<'privacy.photo'>, string>({
      // The argument is the photo's type, so a new photo is a new cache entry.
      query: () => args('privacy.photo', {}), providesTags: ['PrivacyPhoto'],
    }),
    setPhoto: b.mutation<CallOutput<'privacy.setPhoto'>, CallInput<'privacy.setPhoto'>>({
      query: (i) => args('privacy.setPhoto', i), invalidatesTags: ['Privacy', 'PrivacyPhoto', 'PrivacyLedger'],
    }),
    changeEmail: b.mutation<CallOutput<'privacy.changeEmail'>, CallInput<'privacy.changeEmail'>>({
      query: (i) => args('privacy.changeEmail', i), invalidatesTags: ['Privacy', 'PrivacyLedger'],
    }),
    changeAccountPassword: b.mutation<CallOutput<'privacy.changePassword'>, CallInput<'privacy.changePassword'>>({
      query: (i) => args('privacy.changePassword', i), invalidatesTags: ['PrivacySessions', 'PrivacyLedger'],
    }),
    privacySessions: b.query<CallOutput<'privacy.sessions'>, void>({ query: () => args('privacy.sessions', {}), providesTags: ['PrivacySessions'] }),
    revokeSession: b.mutation<CallOutput<'privacy.revokeSession'>, CallInput<'privacy.revokeSession'>>({
      query: (i) => args('privacy.revokeSession', i), invalidatesTags: ['PrivacySessions', 'PrivacyLedger'],
    }),
    revokeOtherSessions: b.mutation<CallOutput<'privacy.revokeOtherSessions'>, void>({
      query: () => args('privacy.revokeOtherSessions', {}), invalidatesTags: ['PrivacySessions', 'PrivacyLedger'],
    }),
    cloudStorage: b.query<CallOutput<'privacy.storage'>, void>({ query: () => args('privacy.storage', {}), providesTags: ['PrivacyStorage'] }),
    storableFiles: b.query<CallOutput<'privacy.storableFiles'>, void>({ query: () => args('privacy.storableFiles', {}) }),
    storeFile: b.mutation<CallOutput<'privacy.storeFile'>, CallInput<'privacy.storeFile'>>({
      query: (i) => args('privacy.storeFile', i), invalidatesTags: ['PrivacyStorage', 'PrivacyLedger'],
    }),
    downloadStored: b.mutation<CallOutput<'privacy.downloadStored'>, CallInput<'privacy.downloadStored'>>({
      query: (i) => args('privacy.downloadStored', i), invalidatesTags: ['PrivacyLedger'],
    }),
    deleteStored: b.mutation<CallOutput<'privacy.deleteStored'>, CallInput<'privacy.deleteStored'>>({
      query: (i) => args('privacy.deleteStored', i), invalidatesTags: ['PrivacyStorage', 'PrivacyLedger'],
    }),
    hostedStations: b.query<CallOutput<'privacy.hostedStations'>, void>({ query: () => args('privacy.hostedStations', {}), providesTags: ['PrivacyHosting'] }),
    syncNow: b.mutation<CallOutput<'privacy.syncNow'>, void>({ query: () => args('privacy.syncNow', {}), invalidatesTags: ['PrivacyHosting', 'Privacy', 'PrivacyLedger', 'PrivacyConsents'] }),
    exportData: b.mutation<CallOutput<'privacy.export'>, void>({ query: () => args('privacy.export', {}), invalidatesTags: ['PrivacyLedger'] }),
    erase: b.mutation<CallOutput<'privacy.erase'>, CallInput<'privacy.erase'>>({
      query: (i) => args('privacy.erase', i), invalidatesTags: ['PrivacySessions', 'PrivacyPhoto', 'Privacy', 'PrivacyLedger', 'PrivacyConsents'],
    }),
  }),
});

export const {
  usePrivacyStateQuery, usePrivacyConsentsQuery, usePrivacyLedgerQuery, useCheckCloudMutation, useSignUpMutation, useLogInMutation,
  useLogOutMutation, useUpdateProfileMutation, useSetConsentMutation, useSetRightsMutation, useSyncNowMutation, useExportDataMutation,
  useEraseMutation, usePrivacyPhotoQuery, useSetPhotoMutation, useChangeEmailMutation, useChangeAccountPasswordMutation, usePrivacySessionsQuery,
  useRevokeSessionMutation, useRevokeOtherSessionsMutation, useCloudStorageQuery, useStorableFilesQuery, useStoreFileMutation,
  useDownloadStoredMutation, useDeleteStoredMutation, useHostedStationsQuery,
} = privacyApi;
