// RTK Query endpoints of the Health page, injected into the one station API.
import { callMutation, callQuery, stationApi } from '../../app/station-api';

const api = stationApi.enhanceEndpoints({ addTagTypes: ['Health', 'HealthSettings'] }).injectEndpoints({
  endpoints: (b) => ({
    // Polled every 5 s while the page is shown (HealthPage); nothing kept once it is gone.
    healthStations: callQuery(b, 'health.stations', { providesTags: ['Health'], keepUnusedDataFor: 0 }),
    healthSettings: callQuery(b, 'health.settings', { providesTags: ['HealthSettings'] }),
    updateHealthSettings: callMutation(b, 'health.updateSettings', { invalidatesTags: ['HealthSettings', 'Health'] }),
  }),
});

export const { useHealthStationsQuery, useHealthSettingsQuery, useUpdateHealthSettingsMutation } = api;
export const healthApi = api;
