// Push to talk: while held, the microphone goes to a camera's speaker. The page asks for the microphone (getUserMedia),
// opens the talk (talk.start), and sends 8 kHz 16-bit PCM every ~85 ms (talk.audio); the station codes it to G.711 and
// sends it over the camera's ONVIF back channel or Dahua's audio upload. Letting go (or the window losing focus) ends it.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useStationClient } from '../../app/client-context';
import { errorText } from '../../i18n/errors';

export type TalkState =
  | { state: 'idle' }
  | { state: 'starting' }
  | { state: 'talking'; via: 'onvif' | 'dahua'; level: number }
  | { state: 'error'; message: string };

/** The station takes 8 kHz PCM (G.711's rate). */
const RATE = 8000;
/** Samples the page hands over at a time at its own rate (48 kHz: ~85 ms). */
const BLOCK = 4096;

/** Float samples at `from` Hz to 16-bit PCM at 8 kHz: each output sample the mean of its window (a box filter, enough for voice). */
export function downsample(input: Float32Array, from: number): Int16Array {
  const ratio = from / RATE;
  const out = new Int16Array(Math.floor(input.length / ratio));
  for (let i = 0; i < out.length; i++) {
    const a = Math.floor(i * ratio), b = Math.max(a + 1, Math.floor((i + 1) * ratio));
    let sum = 0;
    for (let j = a; j < b; j++) sum += input[j]!;
    out[i] = Math.max(-32768, Math.min(32767, Math.round((sum / (b - a)) * 32767)));
  }
  return out;
}

/** Little-endian 16-bit PCM as base64, as talk.audio takes it. */
function pcmBase64(pcm: Int16Array): string {
  const bytes = new Uint8Array(pcm.length * 2);
  const view = new DataView(bytes.buffer);
  pcm.forEach((s, i) => view.setInt16(i * 2, s, true));
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

interface Running { stream?: MediaStream; ctx?: AudioContext; talking: boolean; released: boolean }

/** One channel's push to talk: `press` starts (asking for the microphone the first time), `release` ends. */
export function useTalk(channelId: number | undefined): { talk: TalkState; press(): void; release(): void } {
  const { t } = useTranslation('live');
  const client = useStationClient();
  const [talk, setTalk] = useState<TalkState>({ state: 'idle' });
  const run = useRef<Running | null>(null);

  const teardown = useCallback((r: Running) => {
    r.stream?.getTracks().forEach((tr) => tr.stop());
    void r.ctx?.close().catch(() => undefined);
    if (r.talking && channelId !== undefined) void client.call('talk.stop', { channelId }).catch(() => undefined);
    r.talking = false;
  }, [client, channelId]);

  const release = useCallback(() => {
    const r = run.current;
    if (!r) return;
    run.current = null;
    r.released = true;
    teardown(r);
    setTalk((s) => (s.state === 'error' ? s : { state: 'idle' }));
  }, [teardown]);

  const fail = useCallback((r: Running, message: string) => {
    if (run.current === r) run.current = null;
    r.released = true;
    teardown(r);
    setTalk({ state: 'error', message });
  }, [teardown]);

  const press = useCallback(() => {
    if (channelId === undefined || run.current) return;
    const r: Running = { talking: false, released: false };
    run.current = r;
    setTalk({ state: 'starting' });
    void (async () => {
      try {
        r.stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true } });
      } catch (err) {
        const name = (err as DOMException).name;
        return fail(r, t(name === 'NotAllowedError' || name === 'SecurityError' ? 'talk.denied' : 'talk.noMicrophone'));
      }
      if (r.released) return teardown(r);
      try {
        const { via } = await client.call('talk.start', { channelId });
        r.talking = true;
        if (r.released) return teardown(r);
        setTalk({ state: 'talking', via, level: 0 });
      } catch (err) {
        return fail(r, errorText(err));
      }
      const ctx = new AudioContext();
      r.ctx = ctx;
      const source = ctx.createMediaStreamSource(r.stream);
      // A ScriptProcessor needs no worklet module (none may load under the app's CSP); its output is silence.
      const processor = ctx.createScriptProcessor(BLOCK, 1, 1);
      processor.onaudioprocess = (e) => {
        if (!r.talking) return;
        const pcm = downsample(e.inputBuffer.getChannelData(0), ctx.sampleRate);
        let sum = 0;
        for (const s of pcm) sum += s * s;
        const level = Math.min(1, Math.sqrt(sum / Math.max(1, pcm.length)) / 8000);
        setTalk((s) => (s.state === 'talking' ? { ...s, level } : s));
        client.call('talk.audio', { channelId, pcm: pcmBase64(pcm) }).catch((err: unknown) => { if (r.talking) fail(r, errorText(err)); });
      };
      source.connect(processor);
      processor.connect(ctx.destination);
    })();
  }, [channelId, client, fail, teardown, t]);

  // Never left talking: the window losing focus or the tile going away ends it.
  useEffect(() => {
    window.addEventListener('blur', release);
    return () => { window.removeEventListener('blur', release); release(); };
  }, [release]);
  // An error stays a few seconds, then the button is itself again.
  useEffect(() => {
    if (talk.state !== 'error') return;
    const timer = setTimeout(() => setTalk({ state: 'idle' }), 6000);
    return () => clearTimeout(timer);
  }, [talk]);

  return { talk, press, release };
}
