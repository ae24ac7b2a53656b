import { StationError } from '../../../contract';

/** Dahua DevInit on /OutsideCmd (no session): the plain {name, pwd} form; real firmware also takes an RSA/AES envelope, not done here. */
export async function dahuaDevInit(base: string, username: string, password: string): Promise<void> {
  const res = await fetch(new URL('/OutsideCmd', base), {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ method: 'DevInit.account', params: { name: username, pwd: password }, id: 1 }),
    signal: AbortSignal.timeout(8000),
  });
  const raw = await res.text();
  if (raw.length > 16 * 1024) throw new StationError('unavailable', 'device reply too large');
  let r: { result?: unknown; error?: { message?: unknown } };
  try { r = JSON.parse(raw) as typeof r; } catch { throw new StationError('unavailable', `device answered HTTP ${res.status}`); }
  if (r.result !== true) throw new StationError('conflict', typeof r.error?.message === 'string' ? r.error.message.slice(0, 200) : 'device refused DevInit');
}
