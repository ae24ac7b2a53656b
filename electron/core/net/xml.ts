import { XMLParser } from 'fast-xml-parser';

/** Replies larger than this are dropped unparsed (a real ProbeMatch or SOAP reply is a few KiB). */
export const MAX_XML_BYTES = 64 * 1024;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  processEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => ['ProbeMatch', 'Profiles', 'Scopes', 'User'].includes(name),
});

export type XmlNode = Record<string, unknown>;

/** Parses untrusted XML: size-capped, DTDs refused (no entity tricks), undefined when not well-formed. */
export function parseUntrustedXml(raw: string): XmlNode | undefined {
  if (raw.length > MAX_XML_BYTES || /<!DOCTYPE|<!ENTITY/i.test(raw)) return undefined;
  try {
    const doc = parser.parse(raw, true) as XmlNode;
    return typeof doc === 'object' && doc ? doc : undefined;
  } catch {
    return undefined;
  }
}

/** Follows a path of local names; arrays are entered at their first element. */
export function at(node: unknown, ...path: string[]): unknown {
  let cur: unknown = node;
  for (const p of path) {
    if (Array.isArray(cur)) cur = cur[0];
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as XmlNode)[p];
  }
  return cur;
}

/** Text content of an element (plain string or the #text of one with attributes), with the predefined entities decoded. */
export function text(node: unknown): string | undefined {
  if (Array.isArray(node)) node = node[0];
  if (typeof node === 'string') return decodeEntities(node);
  if (typeof node === 'number' || typeof node === 'boolean') return String(node);
  if (typeof node === 'object' && node && '#text' in node) return text((node as XmlNode)['#text']);
  if (typeof node === 'object' && node) return '';
  return undefined;
}

export function list(node: unknown): unknown[] {
  return node === undefined ? [] : Array.isArray(node) ? node : [node];
}

// Entities are off in the parser; only the five predefined ones and numeric references are decoded, here.
export function decodeEntities(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_m, e: string) => {
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'amp') return '&';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    const n = e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : '';
  });
}

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
