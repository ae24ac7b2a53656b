// RTK Query endpoints of operators (issue 13): the sign-in state, accounts, roles, sessions and the operation log.
import { callMutation, callQuery, stationApi } from '../../app/station-api';

const ACCOUNTS = ['Auth', 'Users', 'Sessions', 'Oplog'] as const;

export const operatorsApi = stationApi.enhanceEndpoints({ addTagTypes: ['Auth', 'Users', 'Roles', 'Sessions', 'Oplog', 'AuthSettings'] }).injectEndpoints({
  endpoints: (b) => ({
    authState: callQuery(b, 'auth.state', { providesTags: ['Auth'] }),
    setupAdmin: callMutation(b, 'auth.setup', { invalidatesTags: ['Auth', 'Users'] }),
    signIn: callMutation(b, 'auth.signIn', { invalidatesTags: ['Auth'] }),
    signOut: callMutation(b, 'auth.signOut', { invalidatesTags: ['Auth'] }),
    lockScreen: callMutation(b, 'auth.lock', { invalidatesTags: ['Auth'] }),
    unlockScreen: callMutation(b, 'auth.unlock', { invalidatesTags: ['Auth'] }),
    changeOwnPassword: callMutation(b, 'auth.changePassword', { invalidatesTags: ['Auth'] }),
    users: callQuery(b, 'users.list', { providesTags: ['Users'] }),
    createUser: callMutation(b, 'users.create', { invalidatesTags: ['Users', 'Oplog'] }),
    updateUser: callMutation(b, 'users.update', { invalidatesTags: [...ACCOUNTS] }),
    removeUser: callMutation(b, 'users.remove', { invalidatesTags: [...ACCOUNTS] }),
    resetPassword: callMutation(b, 'users.resetPassword', { invalidatesTags: [...ACCOUNTS] }),
    roles: callQuery(b, 'roles.list', { providesTags: ['Roles'] }),
    saveRole: callMutation(b, 'roles.save', { invalidatesTags: ['Roles', 'Sessions', 'Oplog'] }),
    removeRole: callMutation(b, 'roles.remove', { invalidatesTags: ['Roles', 'Oplog'] }),
    signInSessions: callQuery(b, 'auth.sessions', { providesTags: ['Sessions'] }),
    revokeSignIn: callMutation(b, 'auth.revokeSession', { invalidatesTags: ['Sessions', 'Oplog'] }),
    authSettings: callQuery(b, 'auth.settings', { providesTags: ['AuthSettings'] }),
    updateAuthSettings: callMutation(b, 'auth.updateSettings', { invalidatesTags: ['AuthSettings', 'Auth', 'Oplog'] }),
    oplog: callQuery(b, 'oplog.query', { providesTags: ['Oplog'], keepUnusedDataFor: 0 }),
    exportOplog: callMutation(b, 'oplog.export', { invalidatesTags: ['Oplog'] }),
  }),
});

export const {
  useAuthStateQuery, useSetupAdminMutation, useSignInMutation, useSignOutMutation, useLockScreenMutation, useUnlockScreenMutation,
  useChangeOwnPasswordMutation, useUsersQuery, useCreateUserMutation, useUpdateUserMutation, useRemoveUserMutation, useResetPasswordMutation,
  useRolesQuery, useSaveRoleMutation, useRemoveRoleMutation, useSignInSessionsQuery, useRevokeSignInMutation, useAuthSettingsQuery,
  useUpdateAuthSettingsMutation, useOplogQuery, useExportOplogMutation,
} = operatorsApi;
