// The corpus of real-device shapes (tests/fixtures/devices/<vendor>/…): reading files, DHIP packets from their text form,
// and the broken forms every fixture is also tried in.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../fixtures/devices', import.meta.url));
export const VENDORS = ['hikvision', 'dahua', 'axis', 'uniview', 'reolink', 'amcrest'] as const;
export type Vendor = (typeof VENDORS)[number];

export function fixture(vendor: Vendor, name: string): string {
  return readFileSync(join(FIXTURES, vendor, name), 'utf8');
}

/** Every fixture file (SOURCES.md aside) as vendor/name. */
export function allFixtures(): { vendor: Vendor; name: string }[] {
  return VENDORS.flatMap((vendor) => readdirSync(join(FIXTURES, vendor)).filter((n) => n !== 'SOURCES.md').sort().map((name) => ({ vendor, name })));
}

/**
 * A .dhip file as the datagram it stands for: after "#" comment lines, the header's 32-bit words as dumps print them
 * ("20000000|44484950|…", LEN = the body's length), the JSON, and "<NUL>" for each zero byte after it.
 * `edit` changes the JSON text first (a loopback address for the sender check).
 */
export function dhipPacket(text: string, edit: (json: string) => string = (j) => j): Buffer {
  const lines = text.split('\n').filter((l) => !l.startsWith('#'));
  const words = lines[0]!.trim().split('|');
  const rest = lines.slice(1);
  const nuls = rest.filter((l) => l.trim() === '<NUL>').length;
  const json = Buffer.from(edit(rest.filter((l) => l.trim() !== '<NUL>').join('\n')), 'utf8');
  const header = Buffer.alloc(words.length * 4);
  // Dumps print each word's bytes in wire order: "20000000" is 0x20 0x00 0x00 0x00.
  words.forEach((w, i) => (w === 'LEN' ? header.writeUInt32LE(json.length, i * 4) : Buffer.from(w, 'hex').copy(header, i * 4)));
  return Buffer.concat([header, json, Buffer.alloc(nuls)]);
}

/** The WWW-Authenticate values of a recorded 401 (HTTP or RTSP), one per header line. */
export function challenges(text: string): string[] {
  return text.split(/\r?\n/).filter((l) => /^www-authenticate:/i.test(l)).map((l) => l.replace(/^www-authenticate:\s*/i, '').trim());
}

/** A fixture's broken forms: cut in half, cut one byte short, its numbers and booleans made words, and blown up past any cap. */
export function brokenForms(text: string): { name: string; text: string }[] {
  return [
    { name: 'truncated', text: text.slice(0, Math.floor(text.length / 2)) },
    { name: 'one byte short', text: text.slice(0, -2) },
    { name: 'wrong types', text: text.replace(/\b\d+\b/g, 'NaN').replace(/\b(true|false)\b/g, '{"x":[]}') },
    { name: 'huge value', text: text.replace(/(>|")([^<>"\r\n]{3,})(<|")/, (_m, a: string, v: string, b: string) => a + v.repeat(Math.ceil(2_000_000 / v.length)) + b) },
    { name: 'empty', text: '' },
  ];
}
