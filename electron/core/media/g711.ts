// G.711 (ITU-T G.711, 1988): 16-bit linear PCM to 8-bit µ-law or A-law and back, the codecs every camera speaker takes
// (RTP payload types 0 PCMU and 8 PCMA, RFC 3551 §4.5.14; Dahua's audio upload `Audio/G.711A`). Pure functions, no tables.

const MU_BIAS = 0x84;
const MU_CLIP = 32635;

/** One 16-bit sample to µ-law (the segment of its biased magnitude, four bits of mantissa, sign, all inverted). */
export function muLawEncode(sample: number): number {
  let s = Math.max(-32768, Math.min(32767, Math.round(sample)));
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  s = Math.min(s, MU_CLIP) + MU_BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

export function muLawDecode(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + MU_BIAS) << exponent) - MU_BIAS;
  return u & 0x80 && magnitude ? -magnitude : magnitude;
}

/** One 16-bit sample to A-law (13-bit magnitude, segments of 16, even bits inverted: XOR 0x55). */
export function aLawEncode(sample: number): number {
  let s = Math.max(-32768, Math.min(32767, Math.round(sample))) >> 3;
  const sign = s >= 0 ? 0x80 : 0;
  if (s < 0) s = -s - 1;
  let code: number;
  if (s < 32) code = s >> 1;
  else {
    let segment = 1;
    while (segment < 7 && s >= 64 << (segment - 1)) segment++;
    code = (segment << 4) | ((s >> segment) & 0x0f);
  }
  return (sign | code) ^ 0x55;
}

export function aLawDecode(byte: number): number {
  const a = byte ^ 0x55;
  const segment = (a >> 4) & 0x07;
  const mantissa = a & 0x0f;
  const magnitude = segment === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (segment - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

export type G711Law = 'mu' | 'a';

/** Linear PCM to G.711 bytes. */
export function g711Encode(pcm: Int16Array, law: G711Law): Buffer {
  const out = Buffer.allocUnsafe(pcm.length);
  const enc = law === 'mu' ? muLawEncode : aLawEncode;
  for (let i = 0; i < pcm.length; i++) out[i] = enc(pcm[i]!);
  return out;
}

/** G.711 bytes to linear PCM. */
export function g711Decode(bytes: Uint8Array, law: G711Law): Int16Array {
  const out = new Int16Array(bytes.length);
  const dec = law === 'mu' ? muLawDecode : aLawDecode;
  for (let i = 0; i < bytes.length; i++) out[i] = dec(bytes[i]!);
  return out;
}
