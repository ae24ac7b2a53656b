// RTK Query endpoints of the privacy area, injected into the one station API.
import { callMutation, callQuery, stationApi } from '../../app/station-api';

/** What signing in, out or erasing changes: everything tied to the account. */
const ACCOUNT = ['PrivacySessions', 'PrivacyPhoto', 'Privacy', 'PrivacyLedger', 'PrivacyConsents'] as const;

export const privacyApi = stationApi.enhanceEndpoints({ addTagTypes: ['PrivacyRegions', 'Privacy', 'PrivacyLedger', 'PrivacyConsents', 'PrivacyPhoto', 'PrivacySessions', 'PrivacyStorage', 'PrivacyHosting', 'PrivacyFeedback'] }).injectEndpoints({
  endpoints: (b) => ({
    privacyState: callQuery(b, 'privacy.state', { providesTags: ['Privacy'] }),
    privacyConsents: callQuery(b, 'privacy.consents', { providesTags: ['PrivacyConsents'] }),
    privacyLedger: callQuery(b, 'privacy.ledger', { providesTags: ['PrivacyLedger'] }),
    checkCloud: callMutation(b, 'privacy.checkCloud', { invalidatesTags: ['Privacy', 'PrivacyLedger'] }),
    signUp: callMutation(b, 'privacy.signUp', { invalidatesTags: ACCOUNT }),
    logIn: callMutation(b, 'privacy.logIn', { invalidatesTags: ACCOUNT }),
    logOut: callMutation(b, 'privacy.logOut', { invalidatesTags: ACCOUNT }),
    verifyEmail: callMutation(b, 'privacy.verifyEmail', { invalidatesTags: ['Privacy', 'PrivacyLedger', 'PrivacySessions'] }),
    resendVerification: callMutation(b, 'privacy.resendVerification', { invalidatesTags: ['PrivacyLedger'] }),
    forgotCloudPassword: callMutation(b, 'privacy.forgotPassword', { invalidatesTags: ['PrivacyLedger'] }),
    resetCloudPassword: callMutation(b, 'privacy.resetPassword', { invalidatesTags: ['PrivacyLedger'] }),
    updateProfile: callMutation(b, 'privacy.updateProfile', { invalidatesTags: ['Privacy'] }),
    setConsent: callMutation(b, 'privacy.setConsent', { invalidatesTags: ['PrivacyHosting', 'Privacy', 'PrivacyConsents'] }),
    setRights: callMutation(b, 'privacy.setRights', { invalidatesTags: ['Privacy'] }),
    // The argument is the photo's type, so a new photo is a new cache entry.
    privacyPhoto: callQuery(b, 'privacy.photo', { input: (_type: string) => ({}), providesTags: ['PrivacyPhoto'] }),
    setPhoto: callMutation(b, 'privacy.setPhoto', { invalidatesTags: ['Privacy', 'PrivacyPhoto', 'PrivacyLedger'] }),
    changeEmail: callMutation(b, 'privacy.changeEmail', { invalidatesTags: ['Privacy', 'PrivacyLedger', 'PrivacySessions'] }),
    changeAccountPassword: callMutation(b, 'privacy.changePassword', { invalidatesTags: ['PrivacySessions', 'PrivacyLedger'] }),
    privacySessions: callQuery(b, 'privacy.sessions', { providesTags: ['PrivacySessions'] }),
    // Sessions and the operation log change together (a sign-in, a password or email change, an export).
    accountLog: callQuery(b, 'privacy.accountLog', { providesTags: ['PrivacySessions'] }),
    revokeSession: callMutation(b, 'privacy.revokeSession', { invalidatesTags: ['PrivacySessions', 'PrivacyLedger'] }),
    revokeOtherSessions: callMutation(b, 'privacy.revokeOtherSessions', { invalidatesTags: ['PrivacySessions', 'PrivacyLedger'] }),
    cloudStorage: callQuery(b, 'privacy.storage', { providesTags: ['PrivacyStorage'] }),
    storableFiles: callQuery(b, 'privacy.storableFiles'),
    storeFile: callMutation(b, 'privacy.storeFile', { invalidatesTags: ['PrivacyStorage', 'PrivacyLedger'] }),
    downloadStored: callMutation(b, 'privacy.downloadStored', { invalidatesTags: ['PrivacyLedger'] }),
    deleteStored: callMutation(b, 'privacy.deleteStored', { invalidatesTags: ['PrivacyStorage', 'PrivacyLedger'] }),
    hostedStations: callQuery(b, 'privacy.hostedStations', { providesTags: ['PrivacyHosting'] }),
    syncNow: callMutation(b, 'privacy.syncNow', { invalidatesTags: ['PrivacyHosting', 'Privacy', 'PrivacyLedger', 'PrivacyConsents'] }),
    exportData: callMutation(b, 'privacy.export', { invalidatesTags: ['PrivacyLedger', 'PrivacySessions'] }),
    erase: callMutation(b, 'privacy.erase', { invalidatesTags: ACCOUNT }),
    sentFeedback: callQuery(b, 'privacy.feedback', { providesTags: ['PrivacyFeedback'] }),
    // The deployment's regions (asked of the configured cloud) and the receipts of the account's moves between them.
    dataRegions: callQuery(b, 'privacy.regions', { providesTags: ['PrivacyRegions'] }),
    regionMoves: callQuery(b, 'privacy.regionMoves', { providesTags: ['PrivacyRegions'] }),
    moveRegion: callMutation(b, 'privacy.moveRegion', { invalidatesTags: [...ACCOUNT, 'PrivacyRegions'] }),
    sendFeedback: callMutation(b, 'privacy.sendFeedback', { invalidatesTags: ['PrivacyFeedback', 'PrivacyLedger'] }),
  }),
});

export const {
  usePrivacyStateQuery, usePrivacyConsentsQuery, usePrivacyLedgerQuery, useCheckCloudMutation, useSignUpMutation, useLogInMutation,
  useLogOutMutation, useUpdateProfileMutation, useSetConsentMutation, useSetRightsMutation, useSyncNowMutation, useExportDataMutation,
  useEraseMutation, usePrivacyPhotoQuery, useSetPhotoMutation, useChangeEmailMutation, useChangeAccountPasswordMutation, usePrivacySessionsQuery, useAccountLogQuery,
  useRevokeSessionMutation, useRevokeOtherSessionsMutation, useCloudStorageQuery, useStorableFilesQuery, useStoreFileMutation,
  useDownloadStoredMutation, useDeleteStoredMutation, useHostedStationsQuery, useSentFeedbackQuery, useSendFeedbackMutation,
  useVerifyEmailMutation, useResendVerificationMutation, useForgotCloudPasswordMutation, useResetCloudPasswordMutation,
  useDataRegionsQuery, useRegionMovesQuery, useMoveRegionMutation,
} = privacyApi;
