// ONVIF Profile G, the part edge backfill needs: which recording holds a channel's stream (Recording Control's
// GetRecordings, else Recording Search's FindRecordings + GetRecordingSearchResults) and where it is replayed (Replay
// Control's GetReplayUri). The RTSP side (`Require: onvif-replay`, `Range: clock=…`) is recording/backfill.ts's.
import { at, esc, list, text } from '../../net/xml';

export const NS_G = {
  trc: 'http://www.onvif.org/ver10/recording/wsdl',
  tse: 'http://www.onvif.org/ver10/search/wsdl',
  trp: 'http://www.onvif.org/ver10/replay/wsdl',
} as const;

export interface Recording {
  token: string;
  /** The source it records (tt:RecordingSourceInformation SourceId): often the video source token, or a vendor's own id. */
  sourceId: string;
  /** Track types (Video, Audio, Metadata); empty when the device lists none. */
  tracks: string[];
}

const MAX_RECORDINGS = 256;
const clip = (s: string | undefined, n = 128) => (s ?? '').trim().slice(0, n);

function recordingOf(item: unknown, tracks: unknown[], trackType: (t: unknown) => string | undefined): Recording | undefined {
  const token = clip(text(at(item, 'RecordingToken')));
  if (!token) return undefined;
  const source = at(item, 'Configuration', 'Source') ?? at(item, 'Source');
  return { token, sourceId: clip(text(at(source, 'SourceId'))), tracks: tracks.map((t) => clip(trackType(t), 16)).filter(Boolean) };
}

/** A GetRecordingsResponse: each RecordingItem (tt:GetRecordingsResponseItem) with its source and track types. */
export function parseRecordings(r: unknown): Recording[] {
  return list(at(r, 'RecordingItem')).slice(0, MAX_RECORDINGS)
    .map((item) => recordingOf(item, list(at(item, 'Tracks', 'Track')).slice(0, 16), (t) => text(at(t, 'Configuration', 'TrackType'))))
    .filter((x): x is Recording => x !== undefined);
}

/** A GetRecordingSearchResultsResponse: its SearchState and each RecordingInformation. */
export function parseSearchResults(r: unknown): { state: string; recordings: Recording[] } {
  const results = at(r, 'ResultList');
  const recordings = list(at(results, 'RecordingInformation')).slice(0, MAX_RECORDINGS)
    .map((info) => recordingOf(info, list(at(info, 'Track')).slice(0, 16), (t) => text(at(t, 'TrackType'))))
    .filter((x): x is Recording => x !== undefined);
  return { state: clip(text(at(results, 'SearchState')), 32), recordings };
}

/** A GetReplayUriResponse's URI; undefined when it is not rtsp(s)://. */
export function parseReplayUri(r: unknown): string | undefined {
  const u = clip(text(at(r, 'Uri')), 2048);
  return /^rtsps?:\/\//i.test(u) ? u : undefined;
}

/**
 * The recording of device channel `channel`'s `stream`: those of the channel's video source (`sourceToken`) in the order
 * the device lists them, the first for the main stream and the second (when there is one) for the sub; without a match
 * by source, the only recording a single camera has, else the channel's place in the list. Recordings without a video
 * track are never picked.
 */
export function pickRecording(recs: Recording[], channel: number, stream: 'main' | 'sub', sourceToken?: string): Recording | undefined {
  const video = recs.filter((r) => r.tracks.length === 0 || r.tracks.some((t) => /^video$/i.test(t)));
  const ofSource = sourceToken ? video.filter((r) => r.sourceId === sourceToken) : [];
  if (ofSource.length) return ofSource[stream === 'sub' && ofSource.length > 1 ? 1 : 0];
  if (video.length === 1) return video[0];
  return video[channel - 1];
}

/** What the calls below need of a driver: one SOAP call to a service address. */
export type SoapCaller = (url: string, operation: string) => Promise<unknown>;

export const GET_RECORDINGS = `<trc:GetRecordings xmlns:trc="${NS_G.trc}"/>`;

/** Recording Search: FindRecordings over everything, its results until Completed (a few polls), then EndSearch. */
export async function findRecordings(call: SoapCaller, searchUrl: string): Promise<Recording[]> {
  const found = await call(searchUrl,
    `<tse:FindRecordings xmlns:tse="${NS_G.tse}"><tse:Scope/><tse:MaxMatches>${MAX_RECORDINGS}</tse:MaxMatches><tse:KeepAliveTime>PT10S</tse:KeepAliveTime></tse:FindRecordings>`);
  const token = clip(text(at(found, 'SearchToken')));
  if (!token) return [];
  const out: Recording[] = [];
  try {
    for (let i = 0; i < 5; i++) {
      const r = parseSearchResults(await call(searchUrl,
        `<tse:GetRecordingSearchResults xmlns:tse="${NS_G.tse}"><tse:SearchToken>${esc(token)}</tse:SearchToken>` +
        `<tse:MaxResults>${MAX_RECORDINGS}</tse:MaxResults><tse:WaitTime>PT2S</tse:WaitTime></tse:GetRecordingSearchResults>`));
      out.push(...r.recordings);
      if (r.state !== 'Searching' && r.state !== 'Queued') break;
    }
  } finally {
    await call(searchUrl, `<tse:EndSearch xmlns:tse="${NS_G.tse}"><tse:SearchToken>${esc(token)}</tse:SearchToken></tse:EndSearch>`).catch(() => {});
  }
  return out;
}

export const getReplayUri = (token: string) =>
  `<trp:GetReplayUri xmlns:trp="${NS_G.trp}" xmlns:tt="http://www.onvif.org/ver10/schema"><trp:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream>` +
  `<tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trp:StreamSetup><trp:RecordingToken>${esc(token)}</trp:RecordingToken></trp:GetReplayUri>`;
