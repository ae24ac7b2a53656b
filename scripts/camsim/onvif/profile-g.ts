// ONVIF Profile G as far as a client needs it to play a camera's card: Recording Control's GetRecordings (recording.wsdl),
// Recording Search's FindRecordings / GetRecordingSearchResults / EndSearch / GetRecordingSummary (search.wsdl) and Replay
// Control's GetReplayUri (replay.wsdl). One recording per stream with a card, `rec_ch<N>_<main|sub>`, its source the
// channel's video source (`vs<N>`); the replay URI is served by rtsp/replay.ts (PLAY with `Range: clock=…`).
import { randomInt } from 'node:crypto';
import type { SimDevice } from '../device';
import type { Profile } from '../types';
import type { OpSpec } from './operation';
import { esc, isoSeconds, senderFault, textAt } from './xml';

interface Rec { token: string; ch: number; profile: Profile }

function recordings(device: SimDevice): Rec[] {
  return device.channels.flatMap((c) => (['main', 'sub'] as const).map((profile) => ({ token: `rec_ch${c.channel}_${profile}`, ch: c.channel, profile })));
}

function recordingOf(device: SimDevice, token: string | undefined): Rec {
  const r = recordings(device).find((x) => x.token === token);
  if (!r) throw senderFault(['ter:InvalidArgVal', 'ter:NoRecording'], 'The RecordingToken does not reference an existing recording');
  return r;
}

/** What the card holds, when the stream has been made (streams are made on first use; an unmade one holds nothing yet). */
function held(device: SimDevice, r: Rec): { start: number; end: number } | undefined {
  const w = device.madeStream(r.ch, r.profile)?.card?.window();
  return w && w.end > w.start ? w : undefined;
}

const source = (device: SimDevice, r: Rec) =>
  `<tt:Source><tt:SourceId>vs${r.ch}</tt:SourceId><tt:Name>${esc(`${device.hostname} CH${r.ch}`)}</tt:Name><tt:Location>camsim</tt:Location>` +
  `<tt:Description>${r.profile === 'main' ? 'Main stream' : 'Sub stream'}</tt:Description><tt:Address>${esc(device.deviceServiceUrl)}</tt:Address></tt:Source>`;

// ---- Recording Control ----

export const recordingOps: Record<string, OpSpec> = {
  GetServiceCapabilities: {
    access: 'PRE_AUTH',
    handle: ({ device }) =>
      `<trc:GetServiceCapabilitiesResponse><trc:Capabilities DynamicRecordings="false" DynamicTracks="false" MaxRate="0" MaxTotalRate="0" ` +
      `MaxRecordings="${device.channels.length * 2}" MaxRecordingJobs="0" Options="false" MetadataRecording="false"/></trc:GetServiceCapabilitiesResponse>`,
  },
  GetRecordings: {
    access: 'READ_MEDIA',
    // recording.wsdl: GetRecordingsResponse/RecordingItem is a tt:GetRecordingsResponseItem, whose children are tt: elements.
    handle: ({ device }) =>
      '<trc:GetRecordingsResponse>' +
      recordings(device).map((r) =>
        `<trc:RecordingItem><tt:RecordingToken>${r.token}</tt:RecordingToken><tt:Configuration>${source(device, r)}` +
        `<tt:Content>SD card</tt:Content><tt:MaximumRetentionTime>PT0S</tt:MaximumRetentionTime></tt:Configuration>` +
        `<tt:Tracks><tt:Track><tt:TrackToken>video</tt:TrackToken><tt:Configuration><tt:TrackType>Video</tt:TrackType>` +
        `<tt:Description>Video</tt:Description></tt:Configuration></tt:Track></tt:Tracks></trc:RecordingItem>`).join('') +
      '</trc:GetRecordingsResponse>',
  },
};

// ---- Recording Search ----

/** Open searches: token → when it lapses (KeepAliveTime). A few at most; the oldest goes first. */
const searches = new Map<string, { device: string; until: number }>();

function recordingInformation(device: SimDevice, r: Rec): string {
  const w = held(device, r);
  const span = w ? `<tt:EarliestRecording>${isoSeconds(w.start)}</tt:EarliestRecording><tt:LatestRecording>${isoSeconds(w.end)}</tt:LatestRecording>` : '';
  const data = w ? `<tt:DataFrom>${isoSeconds(w.start)}</tt:DataFrom><tt:DataTo>${isoSeconds(w.end)}</tt:DataTo>` : '';
  return (
    `<tt:RecordingInformation><tt:RecordingToken>${r.token}</tt:RecordingToken>${source(device, r)}${span}<tt:Content>SD card</tt:Content>` +
    `<tt:Track><tt:TrackToken>video</tt:TrackToken><tt:TrackType>Video</tt:TrackType><tt:Description>Video</tt:Description>${data}</tt:Track>` +
    `<tt:RecordingStatus>${w ? 'Recording' : 'Initiated'}</tt:RecordingStatus></tt:RecordingInformation>`
  );
}

function searchOf(device: SimDevice, token: string | undefined): string {
  const now = Date.now();
  for (const [t, s] of searches) if (s.until < now) searches.delete(t);
  const s = token ? searches.get(token) : undefined;
  if (!token || !s || s.device !== device.id) throw senderFault(['ter:InvalidArgVal', 'ter:InvalidToken'], 'The search token is invalid');
  return token;
}

export const searchOps: Record<string, OpSpec> = {
  GetServiceCapabilities: {
    access: 'PRE_AUTH',
    handle: () => '<tse:GetServiceCapabilitiesResponse><tse:Capabilities MetadataSearch="false" GeneralStartEvents="false"/></tse:GetServiceCapabilitiesResponse>',
  },
  GetRecordingSummary: {
    access: 'READ_MEDIA',
    handle: ({ device }) => {
      const ws = recordings(device).map((r) => held(device, r)).filter((w) => w !== undefined);
      const from = ws.length ? Math.min(...ws.map((w) => w.start)) : Date.now();
      const until = ws.length ? Math.max(...ws.map((w) => w.end)) : Date.now();
      return `<tse:GetRecordingSummaryResponse><tse:Summary><tt:DataFrom>${isoSeconds(from)}</tt:DataFrom><tt:DataUntil>${isoSeconds(until)}</tt:DataUntil>` +
        `<tt:NumberRecordings>${recordings(device).length}</tt:NumberRecordings></tse:Summary></tse:GetRecordingSummaryResponse>`;
    },
  },
  FindRecordings: {
    access: 'READ_MEDIA',
    handle: ({ device, op }) => {
      const keep = /^PT(\d+(?:\.\d+)?)S$/.exec(textAt(op, 'KeepAliveTime') ?? '');
      const token = `search_${randomInt(1_000_000, 9_999_999)}`;
      searches.set(token, { device: device.id, until: Date.now() + Math.min(60_000, keep ? Number(keep[1]) * 1000 : 10_000) });
      while (searches.size > 16) searches.delete(searches.keys().next().value!);
      return `<tse:FindRecordingsResponse><tse:SearchToken>${token}</tse:SearchToken></tse:FindRecordingsResponse>`;
    },
  },
  GetRecordingSearchResults: {
    access: 'READ_MEDIA',
    // The whole list at once, the search Completed (a device may also answer Searching with part of it first).
    handle: ({ device, op }) => {
      searchOf(device, textAt(op, 'SearchToken'));
      return '<tse:GetRecordingSearchResultsResponse><tse:ResultList><tt:SearchState>Completed</tt:SearchState>' +
        recordings(device).map((r) => recordingInformation(device, r)).join('') +
        '</tse:ResultList></tse:GetRecordingSearchResultsResponse>';
    },
  },
  EndSearch: {
    access: 'READ_MEDIA',
    handle: ({ device, op }) => {
      searches.delete(searchOf(device, textAt(op, 'SearchToken')));
      return `<tse:EndSearchResponse><tse:Endpoint>${isoSeconds(Date.now())}</tse:Endpoint></tse:EndSearchResponse>`;
    },
  },
};

// ---- Replay Control ----

export const replayOps: Record<string, OpSpec> = {
  GetServiceCapabilities: {
    access: 'PRE_AUTH',
    handle: () => '<trp:GetServiceCapabilitiesResponse><trp:Capabilities ReversePlayback="false" SessionTimeoutRange="1 60" RTP_RTSP_TCP="true"/></trp:GetServiceCapabilitiesResponse>',
  },
  GetReplayUri: {
    access: 'READ_MEDIA',
    handle: ({ device, op }) => {
      const r = recordingOf(device, textAt(op, 'RecordingToken'));
      const host = new URL(device.rtspUrl(1, 'main')).host;
      return `<trp:GetReplayUriResponse><trp:Uri>rtsp://${host}/onvif/replay/${r.token}</trp:Uri></trp:GetReplayUriResponse>`;
    },
  },
};
