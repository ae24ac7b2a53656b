// RTK Query endpoints of the archive and export, injected into the one station API.
import { callMutation, callQuery, stationApi } from '../../app/station-api';

export const recordingApi = stationApi.enhanceEndpoints({ addTagTypes: ['Timeline', 'Bookmarks'] }).injectEndpoints({
  endpoints: (b) => ({
    // Fetched afresh whenever asked (the archive grows while it is shown): nothing is kept once unused.
    archiveTimeline: callQuery(b, 'archive.timeline', { providesTags: ['Timeline'], keepUnusedDataFor: 0 }),
    archiveOverview: callQuery(b, 'archive.overview', { providesTags: ['Timeline'], keepUnusedDataFor: 0 }),
    archiveDays: callQuery(b, 'archive.days', { keepUnusedDataFor: 0 }),
    archiveThumbnail: callQuery(b, 'archive.thumbnail', { keepUnusedDataFor: 0 }),
    motionSearch: callMutation(b, 'archive.motionSearch'),
    lockRange: callMutation(b, 'archive.lock', { invalidatesTags: ['Timeline'] }),
    bookmarks: callQuery(b, 'bookmarks.list', { providesTags: ['Bookmarks'], keepUnusedDataFor: 0 }),
    addBookmark: callMutation(b, 'bookmarks.add', { invalidatesTags: ['Bookmarks', 'Timeline'] }),
    updateBookmark: callMutation(b, 'bookmarks.update', { invalidatesTags: ['Bookmarks'] }),
    removeBookmark: callMutation(b, 'bookmarks.remove', { invalidatesTags: ['Bookmarks'] }),
    startExport: callMutation(b, 'export.start'),
    cancelExport: callMutation(b, 'export.cancel'),
    verifyExport: callMutation(b, 'export.verify'),
  }),
});

export const {
  useArchiveTimelineQuery, useArchiveOverviewQuery, useArchiveDaysQuery, useArchiveThumbnailQuery, useLazyArchiveThumbnailQuery, useLockRangeMutation, useMotionSearchMutation,
  useStartExportMutation, useCancelExportMutation, useVerifyExportMutation,
  useBookmarksQuery, useAddBookmarkMutation, useUpdateBookmarkMutation, useRemoveBookmarkMutation,
} = recordingApi;
