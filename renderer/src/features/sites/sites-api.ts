// RTK Query endpoints of remote stations (issue 14): this station serving desks, and the stations this desk shows.
import { callMutation, callQuery, stationApi } from '../../app/station-api';

export const sitesApi = stationApi.enhanceEndpoints({ addTagTypes: ['Sites', 'Serving', 'Shares', 'Received'] }).injectEndpoints({
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
    // Hardware Share: shares this station gave, and those its cloud account received.
    shares: callQuery(b, 'shares.list', { providesTags: ['Shares'] }),
    createShare: callMutation(b, 'shares.create', { invalidatesTags: ['Shares'] }),
    revokeShare: callMutation(b, 'shares.revoke', { invalidatesTags: ['Shares'] }),
    receivedShares: callQuery(b, 'shares.received', { providesTags: ['Received'] }),
    addReceivedShare: callMutation(b, 'shares.addReceived', { invalidatesTags: ['Received', 'Sites'] }),
  }),
});

export const {
  useSitesQuery, useAddSiteMutation, useDiscoverSitesMutation, useTrustSiteMutation, useSiteCredentialsMutation, useRetrySiteMutation, useRemoveSiteMutation,
  useSetStandbyMutation,
  useServingQuery, useSetServingMutation,
  useSharesQuery, useCreateShareMutation, useRevokeShareMutation, useReceivedSharesQuery, useAddReceivedShareMutation,
} = sitesApi;
