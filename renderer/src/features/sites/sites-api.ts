// RTK Query endpoints of remote stations (issue 14): this station serving desks, and the stations this desk shows.
import { callMutation, callQuery, stationApi } from '../../app/station-api';

export const sitesApi = stationApi.enhanceEndpoints({ addTagTypes: ['Sites', 'Serving'] }).injectEndpoints({
  endpoints: (b) => ({
    sites: callQuery(b, 'sites.list', { providesTags: ['Sites'] }),
    addSite: callMutation(b, 'sites.add', { invalidatesTags: ['Sites'] }),
    discoverSites: callMutation(b, 'sites.discover', {}),
    trustSite: callMutation(b, 'sites.trust', { invalidatesTags: ['Sites'] }),
    siteCredentials: callMutation(b, 'sites.setCredentials', { invalidatesTags: ['Sites'] }),
    retrySite: callMutation(b, 'sites.retry', { invalidatesTags: ['Sites'] }),
    removeSite: callMutation(b, 'sites.remove', { invalidatesTags: ['Sites'] }),
    setStandby: callMutation(b, 'sites.setStandby', { invalidatesTags: ['Sites'] }),
    serving: callQuery(b, 'sites.serving', { providesTags: ['Serving'] }),
    setServing: callMutation(b, 'sites.setServing', { invalidatesTags: ['Serving'] }),
  }),
});

export const {
  useSitesQuery, useAddSiteMutation, useDiscoverSitesMutation, useTrustSiteMutation, useSiteCredentialsMutation, useRetrySiteMutation, useRemoveSiteMutation,
  useSetStandbyMutation,
  useServingQuery, useSetServingMutation,
} = sitesApi;
