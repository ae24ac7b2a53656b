// A click on an event opens Playback at that instant; the page takes the request once when it mounts.
const KEY = 'watchpost.playbackJump';

export function requestPlaybackAt(at: number, channelId: number | null): void {
  sessionStorage.setItem(KEY, JSON.stringify({ at, channelId }));
}

export function takePlaybackJump(): { at: number; channelId: number | null } | undefined {
  const raw = sessionStorage.getItem(KEY);
  sessionStorage.removeItem(KEY);
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as { at?: unknown; channelId?: unknown };
    return typeof v.at === 'number' ? { at: v.at, channelId: typeof v.channelId === 'number' ? v.channelId : null } : undefined;
  } catch {
    return undefined;
  }
}
