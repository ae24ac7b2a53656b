// RTK Query endpoints of the recording & storage page, injected into the one station API.
import { callMutation, callQuery, stationApi } from '../../app/station-api';

const api = stationApi.enhanceEndpoints({ addTagTypes: ['RecordingConfig', 'RecordingStatus', 'Locks', 'Audit', 'Forecast', 'SiteRecording', 'SiteRecordingStatus'] }).injectEndpoints({
  endpoints: (b) => ({
    recordingConfig: callQuery(b, 'recording.config', { providesTags: ['RecordingConfig'] }),
    // Kept current by the recording.status signal (use-storage-signals.ts).
    recordingStatus: callQuery(b, 'recording.status', { providesTags: ['RecordingStatus'] }),
    // Another station's channels (a desk) are changed on their station: its settings are read again, refused or not.
    setChannels: callMutation(b, 'recording.setChannels', { invalidatesTags: ['RecordingConfig', 'RecordingStatus', 'Forecast', 'SiteRecording', 'SiteRecordingStatus'] }),
    setArchive: callMutation(b, 'recording.setArchive', { invalidatesTags: ['RecordingConfig', 'Forecast', 'Audit'] }),
    setFolder: callMutation(b, 'archive.setFolder', { invalidatesTags: ['RecordingConfig', 'Forecast', 'Audit'] }),
    // What-if values change as the user types: nothing is kept once unused.
    forecast: callQuery(b, 'recording.forecast', { providesTags: ['Forecast'], keepUnusedDataFor: 0 }),
    locks: callQuery(b, 'archive.locks', { providesTags: ['Locks'] }),
    unlock: callMutation(b, 'archive.unlock', { invalidatesTags: ['Locks', 'Audit', 'Forecast'] }),
    audit: callQuery(b, 'archive.audit', { providesTags: ['Audit'], keepUnusedDataFor: 0 }),
    // Another station's recording settings and recorders, asked of it through this desk (sites.*).
    siteRecordingConfig: callQuery(b, 'sites.recordingConfig', { providesTags: ['SiteRecording'] }),
    siteRecordingStatus: callQuery(b, 'sites.recordingStatus', { providesTags: ['SiteRecordingStatus'] }),
    setSiteArchive: callMutation(b, 'sites.setArchive', { invalidatesTags: ['SiteRecording'] }),
    // Starts event recording as an alarm would (pre-event seconds from the ring, then post-event), and marks the timeline.
    trigger: callMutation(b, 'recording.trigger', { input: (channelId: number) => ({ channelId, kind: 'manual' }), invalidatesTags: ['RecordingStatus', 'SiteRecordingStatus'] }),
  }),
});

export const {
  useRecordingConfigQuery, useRecordingStatusQuery, useSetChannelsMutation, useSetArchiveMutation, useSetFolderMutation,
  useForecastQuery, useLocksQuery, useUnlockMutation, useAuditQuery, useTriggerMutation,
  useSiteRecordingConfigQuery, useSiteRecordingStatusQuery, useSetSiteArchiveMutation,
} = api;
export const storageApi = api;
