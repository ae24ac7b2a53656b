// Annex-B byte streams (ITU-T H.264 / H.265 Annex B) split into NAL units and access units.
import type { Codec } from '../types';

/** Splits an Annex-B buffer on 00 00 01 / 00 00 00 01 start codes; returns NAL units without them. */
export function splitAnnexB(data: Buffer): Buffer[] {
  const nals: Buffer[] = [];
  let start = -1;
  let i = 0;
  const n = data.length;
  while (i + 2 < n) {
    if (data[i + 2]! > 1) {
      i += 3;
    } else if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      if (start >= 0) nals.push(trimTrailingZeros(data.subarray(start, i)));
      start = i + 3;
      i += 3;
    } else {
      i += 1;
    }
  }
  if (start >= 0 && start < n) nals.push(trimTrailingZeros(data.subarray(start)));
  return nals.filter((nal) => nal.length > 0);
}

// The zero of a 4-byte start code (and trailing_zero_8bits) belongs to no NAL unit.
function trimTrailingZeros(nal: Buffer): Buffer {
  let end = nal.length;
  while (end > 0 && nal[end - 1] === 0) end--;
  return nal.subarray(0, end);
}

export function nalType(codec: Codec, nal: Buffer): number {
  return codec === 'h264' ? nal[0]! & 0x1f : (nal[0]! >> 1) & 0x3f;
}

export function isVcl(codec: Codec, nal: Buffer): boolean {
  const t = nalType(codec, nal);
  return codec === 'h264' ? t >= 1 && t <= 5 : t <= 31;
}

/** IDR for H.264; IRAP (BLA/IDR/CRA, types 16-23) for H.265. */
export function isKeyNal(codec: Codec, nal: Buffer): boolean {
  const t = nalType(codec, nal);
  return codec === 'h264' ? t === 5 : t >= 16 && t <= 23;
}

export function isParameterSet(codec: Codec, nal: Buffer): boolean {
  const t = nalType(codec, nal);
  return codec === 'h264' ? t === 7 || t === 8 : t >= 32 && t <= 34;
}

// H.264 7.4.1.2.3 / H.265 7.4.2.4.4: these non-VCL units may only open an access unit.
function opensAccessUnit(codec: Codec, nal: Buffer): boolean {
  const t = nalType(codec, nal);
  if (codec === 'h264') return t === 6 || t === 7 || t === 8 || t === 9 || (t >= 14 && t <= 18);
  return (t >= 32 && t <= 35) || t === 39 || (t >= 41 && t <= 44) || (t >= 48 && t <= 55);
}

// first_mb_in_slice == 0 (ue(v) '1') / first_slice_segment_in_pic_flag: the first bit after the header.
function isFirstSlice(codec: Codec, nal: Buffer): boolean {
  const b = codec === 'h264' ? nal[1] : nal[2];
  return b !== undefined && (b & 0x80) !== 0;
}

export interface ParameterSets {
  /** H.265 only. */
  vps?: Buffer;
  sps: Buffer;
  pps: Buffer;
}

export interface AccessUnitNals {
  nals: Buffer[];
  keyframe: boolean;
}

/** Groups NAL units into access units; incremental, so live encoder output can be fed chunk by chunk. */
export class AccessUnitSplitter {
  private current: Buffer[] = [];
  private currentHasVcl = false;

  constructor(private readonly codec: Codec) {}

  /** Pushes one NAL unit; returns the access unit it completed, if any. */
  push(nal: Buffer): AccessUnitNals | undefined {
    let done: AccessUnitNals | undefined;
    const vcl = isVcl(this.codec, nal);
    const opens = vcl ? isFirstSlice(this.codec, nal) : opensAccessUnit(this.codec, nal);
    if (this.currentHasVcl && opens) done = this.flush();
    this.current.push(nal);
    if (vcl) this.currentHasVcl = true;
    return done;
  }

  flush(): AccessUnitNals | undefined {
    if (!this.currentHasVcl) return undefined;
    const nals = this.current;
    this.current = [];
    this.currentHasVcl = false;
    return { nals, keyframe: nals.some((n) => isKeyNal(this.codec, n)) };
  }
}

export function splitAccessUnits(codec: Codec, data: Buffer): AccessUnitNals[] {
  const splitter = new AccessUnitSplitter(codec);
  const units: AccessUnitNals[] = [];
  for (const nal of splitAnnexB(data)) {
    const done = splitter.push(nal);
    if (done) units.push(done);
  }
  const last = splitter.flush();
  if (last) units.push(last);
  return units;
}

/** Remembers the newest VPS/SPS/PPS seen; complete once all the codec needs are there. */
export class ParameterSetTracker {
  private vps: Buffer | undefined;
  private sps: Buffer | undefined;
  private pps: Buffer | undefined;

  constructor(private readonly codec: Codec) {}

  observe(nal: Buffer): void {
    const t = nalType(this.codec, nal);
    if (this.codec === 'h264') {
      if (t === 7) this.sps = Buffer.from(nal);
      else if (t === 8) this.pps = Buffer.from(nal);
    } else if (t === 32) this.vps = Buffer.from(nal);
    else if (t === 33) this.sps = Buffer.from(nal);
    else if (t === 34) this.pps = Buffer.from(nal);
  }

  get(): ParameterSets | undefined {
    if (!this.sps || !this.pps) return undefined;
    if (this.codec === 'h265') return this.vps ? { vps: this.vps, sps: this.sps, pps: this.pps } : undefined;
    return { sps: this.sps, pps: this.pps };
  }
}

export function parameterSetList(sets: ParameterSets): Buffer[] {
  return sets.vps ? [sets.vps, sets.sps, sets.pps] : [sets.sps, sets.pps];
}

/** Cameras repeat the parameter sets in front of every keyframe, so a client may join at any keyframe. */
export function withParameterSets(codec: Codec, unit: AccessUnitNals, sets: ParameterSets): Buffer[] {
  const rest = unit.nals.filter((n) => !isParameterSet(codec, n) && nalType(codec, n) !== (codec === 'h264' ? 9 : 35));
  return unit.keyframe ? [...parameterSetList(sets), ...rest] : rest;
}

export function toAnnexB(nals: readonly Buffer[]): Buffer {
  const startCode = Buffer.from([0, 0, 0, 1]);
  const parts: Buffer[] = [];
  for (const nal of nals) parts.push(startCode, nal);
  return Buffer.concat(parts);
}
