import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** Namespaces of ONVIF Core / WS-* that camsim speaks; prefixes match the specs' own examples. */
export const NS = {
  env: 'http://www.w3.org/2003/05/soap-envelope',
  tt: 'http://www.onvif.org/ver10/schema',
  tds: 'http://www.onvif.org/ver10/device/wsdl',
  trt: 'http://www.onvif.org/ver10/media/wsdl',
  /** Media2 (ONVIF Media2 Service Spec, Profile T); offered by the axis flavour. */
  tr2: 'http://www.onvif.org/ver20/media/wsdl',
  tev: 'http://www.onvif.org/ver10/events/wsdl',
  tptz: 'http://www.onvif.org/ver20/ptz/wsdl',
  /** Profile G: Recording Control, Recording Search, Replay Control. */
  trc: 'http://www.onvif.org/ver10/recording/wsdl',
  tse: 'http://www.onvif.org/ver10/search/wsdl',
  trp: 'http://www.onvif.org/ver10/replay/wsdl',
  ter: 'http://www.onvif.org/ver10/error',
  tns1: 'http://www.onvif.org/ver10/topics',
  wsnt: 'http://docs.oasis-open.org/wsn/b-2',
  wstop: 'http://docs.oasis-open.org/wsn/t-1',
  wsrfr: 'http://docs.oasis-open.org/wsrf/r-2',
  wsa: 'http://www.w3.org/2005/08/addressing',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  dn: 'http://www.onvif.org/ver10/network/wsdl',
  /** WS-Discovery as ONVIF uses it: the 2005/04 draft with 2004/08 addressing (ONVIF Core 7.3). */
  wsd: 'http://schemas.xmlsoap.org/ws/2005/04/discovery',
  wsadis: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  /** camsim's own topic namespace for sensors ONVIF has no standard topic for. */
  tnscs: 'http://watchpost.dev/camsim/topics',
} as const;

/** Incoming SOAP is small; a cap keeps a hostile body from costing memory (ONVIF requests are < 8 KiB). */
export const MAX_XML_BYTES = 64 * 1024;

export interface XmlElement {
  /** Qualified name as written (`tds:GetUsers`). */
  name: string;
  local: string;
  /** Resolved namespace URI, '' when unqualified. */
  ns: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export class XmlError extends Error {}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // Entity expansion off: no DTD entities ever; the five predefined ones are decoded below.
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

const PREDEFINED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g, (_m, e: string) => {
    const named = PREDEFINED_ENTITIES[e];
    if (named !== undefined) return named;
    const code = e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : '';
  });
}

type Raw = Record<string, unknown>;

function convert(raw: Raw, scope: Map<string, string>): XmlElement | undefined {
  const name = Object.keys(raw).find((k) => k !== ':@');
  if (name === undefined || name === '#text' || name.startsWith('?')) return undefined;
  const attrsRaw = (raw[':@'] ?? {}) as Record<string, string>;
  const attrs: Record<string, string> = {};
  let local = scope;
  for (const [k, v] of Object.entries(attrsRaw)) {
    const value = decodeEntities(String(v));
    if (k === 'xmlns' || k.startsWith('xmlns:')) {
      if (local === scope) local = new Map(scope);
      local.set(k === 'xmlns' ? '' : k.slice(6), value);
    } else {
      attrs[k] = value;
    }
  }
  const colon = name.indexOf(':');
  const prefix = colon < 0 ? '' : name.slice(0, colon);
  const ns = local.get(prefix) ?? '';
  if (prefix !== '' && ns === '') throw new XmlError(`unbound prefix ${prefix}`);
  const el: XmlElement = { name, local: colon < 0 ? name : name.slice(colon + 1), ns, attrs, children: [], text: '' };
  const kids = raw[name];
  if (Array.isArray(kids)) {
    for (const kid of kids as Raw[]) {
      if ('#text' in kid) el.text += decodeEntities(String(kid['#text']));
      else {
        const c = convert(kid, local);
        if (c) el.children.push(c);
      }
    }
  }
  return el;
}

/** Parses a request body; throws XmlError for anything not well-formed, too big or carrying a DTD. */
export function parseXml(body: string | Buffer): XmlElement {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (Buffer.byteLength(text) > MAX_XML_BYTES) throw new XmlError('message too large');
  // SOAP 1.2 part 1 §5: a SOAP message must not contain a DTD.
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) throw new XmlError('DTD not allowed');
  // The parser tolerates mismatched tags; the validator does not.
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new XmlError(`not well-formed: ${valid.err.msg} (line ${valid.err.line})`);
  let raw: unknown;
  try {
    raw = parser.parse(text);
  } catch (err) {
    throw new XmlError(`not well-formed: ${(err as Error).message}`);
  }
  if (!Array.isArray(raw)) throw new XmlError('not well-formed');
  const roots = (raw as Raw[]).map((r) => convert(r, new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]))).filter(
    (e): e is XmlElement => e !== undefined,
  );
  if (roots.length !== 1 || !roots[0]) throw new XmlError('expected exactly one root element');
  return roots[0];
}

export function child(el: XmlElement | undefined, local: string, ns?: string): XmlElement | undefined {
  return el?.children.find((c) => c.local === local && (ns === undefined || c.ns === ns));
}

export function children(el: XmlElement | undefined, local: string): XmlElement[] {
  return el ? el.children.filter((c) => c.local === local) : [];
}

/** Follows a path of local names; returns the text of the last one. */
export function textAt(el: XmlElement | undefined, ...path: string[]): string | undefined {
  let cur = el;
  for (const p of path) cur = child(cur, p);
  return cur?.text;
}

/** Resolves a QName like `dn:NetworkVideoTransmitter` written in an element's text. */
export function resolveQName(qname: string, nsOf: (prefix: string) => string | undefined): { ns: string; local: string } {
  const i = qname.indexOf(':');
  const prefix = i < 0 ? '' : qname.slice(0, i);
  return { ns: nsOf(prefix) ?? '', local: i < 0 ? qname : qname.slice(i + 1) };
}

export function esc(s: string | number | boolean): string {
  return String(s).replace(/[<>&"']/g, (c) =>
    c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === '"' ? '&quot;' : '&apos;',
  );
}

const ENVELOPE_NS = (['env', 'tt', 'tds', 'trt', 'tev', 'tptz', 'trc', 'tse', 'trp', 'ter', 'tns1', 'wsnt', 'wstop', 'wsa', 'tnscs'] as const)
  .map((p) => `xmlns:${p}="${NS[p]}"`)
  .join(' ');

export function envelope(body: string, header = ''): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<env:Envelope ${ENVELOPE_NS}>` +
    (header ? `<env:Header>${header}</env:Header>` : '') +
    `<env:Body>${body}</env:Body></env:Envelope>`
  );
}

export interface SoapFault {
  /** env:Sender (client's fault, HTTP 400) or env:Receiver (device's, HTTP 500); SOAP 1.2 part 2 §7.5.1. */
  code: 'env:Sender' | 'env:Receiver' | 'env:VersionMismatch' | 'env:MustUnderstand';
  subcodes: string[];
  reason: string;
  detail?: string;
}

export function faultXml(f: SoapFault): string {
  let sub = '';
  for (let i = f.subcodes.length - 1; i >= 0; i--) {
    sub = `<env:Subcode><env:Value>${f.subcodes[i]}</env:Value>${sub}</env:Subcode>`;
  }
  return envelope(
    `<env:Fault><env:Code><env:Value>${f.code}</env:Value>${sub}</env:Code>` +
      `<env:Reason><env:Text xml:lang="en">${esc(f.reason)}</env:Text></env:Reason>` +
      (f.detail ? `<env:Detail>${f.detail}</env:Detail>` : '') +
      `</env:Fault>`,
  );
}

/** Thrown by handlers; the router turns it into a SOAP fault reply. */
export class OnvifFault extends Error {
  constructor(
    readonly fault: SoapFault,
    readonly httpStatus = fault.code === 'env:Receiver' ? 500 : 400,
  ) {
    super(fault.reason);
  }
}

export function senderFault(subcodes: string[], reason: string): OnvifFault {
  return new OnvifFault({ code: 'env:Sender', subcodes, reason });
}

export function receiverFault(subcodes: string[], reason: string): OnvifFault {
  return new OnvifFault({ code: 'env:Receiver', subcodes, reason });
}

/** xs:dateTime in UTC without milliseconds, as devices print it. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** xs:duration subset used by ONVIF (PT5S, PT1M, PT0.5S, P1DT2H). Returns ms or undefined. */
export function parseDuration(s: string): number | undefined {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(s.trim());
  if (!m || s.trim() === 'P' || s.trim() === 'PT') return undefined;
  const [, d, h, min, sec] = m;
  return ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60_000 + Number(sec ?? 0) * 1000;
}
