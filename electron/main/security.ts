import { app, net, protocol, session, type WebContents } from 'electron';
import { normalize, join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CSP } from '../core/server/loopback-server';

export const APP_ORIGIN = 'app://watchpost';

/** Must run before app 'ready': app:// is a standard, secure scheme (checklist: custom protocol, not file://). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
  ]);
}

/** Serves the built renderer under app://watchpost/ with a path check and the strict CSP. */
export function serveRenderer(rendererDir: string): void {
  protocol.handle('app', async (req) => {
    const url = new URL(req.url);
    const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
    const file = normalize(join(rendererDir, rel));
    if (url.host !== 'watchpost' || !file.startsWith(rendererDir + sep)) {
      return new Response('not found', { status: 404 });
    }
    const res = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(res.headers);
    headers.set('content-security-policy', CSP);
    headers.set('x-content-type-options', 'nosniff');
    return new Response(res.body, { status: res.status, headers });
  });
}

/** The app's own page may ask for the microphone (push to talk, renderer/src/features/live/use-talk.ts); never a camera. */
export function microphoneOnly(mediaTypes: readonly string[] | undefined, url: string | undefined): boolean {
  return !!mediaTypes?.length && mediaTypes.every((t) => t === 'audio') && (url ?? '').startsWith(`${APP_ORIGIN}/`);
}

/** Permission requests denied except notifications and our page's microphone (checklist item). */
export function lockDownSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, permission, callback, details) =>
    callback(permission === 'notifications' || (permission === 'media' && microphoneOnly((details as { mediaTypes?: string[] }).mediaTypes, details.requestingUrl))));
  ses.setPermissionCheckHandler((_wc, permission, origin, details) =>
    permission === 'notifications' || (permission === 'media' && microphoneOnly(details.mediaType ? [details.mediaType] : undefined, `${origin}/`)));
  ses.setDevicePermissionHandler(() => false);
}

/** Navigation, new windows and webviews denied for every web contents ever created (checklist items). */
export function denyNavigation(): void {
  app.on('web-contents-created', (_e, contents: WebContents) => {
    contents.on('will-navigate', (e, url) => {
      if (!url.startsWith(`${APP_ORIGIN}/`)) e.preventDefault();
    });
    contents.on('will-redirect', (e) => e.preventDefault());
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

/** IPC sender validation: only our own top-level page may call the station. */
export function isTrustedSender(frame: Electron.WebFrameMain | null): boolean {
  if (!frame || frame.parent !== null) return false;
  try {
    // Node's URL gives custom schemes a 'null' origin, so compare scheme and host.
    const u = new URL(frame.url);
    return `${u.protocol}//${u.host}` === APP_ORIGIN;
  } catch {
    return false;
  }
}
