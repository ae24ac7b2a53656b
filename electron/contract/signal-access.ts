// What a connection must hold to be sent each signal, declared like a call's `needs` (common.ts) and checked where the
// signal bus fans out to the transports (auth/access.ts `signalFor`): a list is cut to the user's cameras, a signal about
// one camera (or one stored item) reaches only users with the right on it, and one needing a station right only its
// holders. Before sign-in a connection gets only the public ones. tests/unit/call-rights.test.ts fails on a signal
// missing here.
import { needs, type Access } from './common';

export const SIGNAL_ACCESS: Readonly<Record<string, Access>> = {
  'station.heartbeat': needs.nothing,
  'auth.changed': needs.nothing,
  'settings.changed': needs.signIn,
  'live.desk': needs.signIn,
  'channels.changed': needs.channelList('live', 'id'),
  'stream.status': needs.channel('live', 'streamId'),
  'live.clips': needs.channelList('export', 'channelId'),
  'live.clipEnded': needs.channel('export', 'channelId'),
  'recording.status': needs.channelList('live', 'channelId', 'channels'),
  // And only to the connection that opened the session (station.signalFor).
  'playback.state': needs.item('playback', 'playback', 'sessionId'),
  'export.progress': needs.item('export', 'export', 'exportId'),
  'archive.move': needs.station('recordingSettings'),
  'recording.changed': needs.station('recordingSettings'),
  'archive.filled': needs.channel('playback', 'channelId'),
  'event.changed': needs.channel('live', 'channelId'),
  'alarm.raised': needs.channel('live', 'event.channelId'),
  'alarm.focus': needs.channel('live', 'channelId'),
  'sensor.reading': needs.channel('live', 'channelId'),
  'devices.discovered': needs.station('devices'),
  'devices.changed': needs.station('devices'),
  'devices.activation': needs.station('devices'),
  'devices.online': needs.station('devices'),
  'privacy.changed': needs.station('privacy'),
  'subjectRequests.changed': needs.station('privacy'),
  'subjectRequests.reminders': needs.station('privacy'),
  'masks.changed': needs.channel('live', 'channelId'),
  'redaction.progress': needs.item('export', 'redaction', 'exportId'),
  'sites.changed': needs.signIn,
  'sites.recordingChanged': needs.station('recordingSettings'),
  'mqtt.status': needs.station('settings'),
};
