// Privacy masks and redacted exports ("Export for disclosure"): the station's calls as RTK Query endpoints.
import { callMutation, callQuery, stationApi } from '../../app/station-api';

const api = stationApi.enhanceEndpoints({ addTagTypes: ['Masks', 'Redactions'] }).injectEndpoints({
  endpoints: (b) => ({
    masks: callQuery(b, 'masks.list', { providesTags: ['Masks'] }),
    saveMasks: callMutation(b, 'masks.save', { invalidatesTags: ['Masks'] }),
    liftMask: callMutation(b, 'masks.lift', { invalidatesTags: ['Masks'] }),
    restoreMask: callMutation(b, 'masks.restore', { invalidatesTags: ['Masks'] }),
    redactionPreview: callMutation(b, 'redaction.preview'),
    startRedaction: callMutation(b, 'redaction.start', { invalidatesTags: ['Redactions'] }),
    cancelRedaction: callMutation(b, 'redaction.cancel'),
    redactions: callQuery(b, 'redaction.list', { providesTags: ['Redactions'] }),
  }),
});

export const {
  useMasksQuery, useSaveMasksMutation, useLiftMaskMutation, useRestoreMaskMutation,
  useRedactionPreviewMutation, useStartRedactionMutation, useCancelRedactionMutation, useRedactionsQuery,
} = api;
export const redactionApi = api;
