// The datagrams stations find each other with (sites/station-discovery.ts): only a Probe for our own type is answered, and
// a ProbeMatch is read back to what the station said of itself; anything else is dropped.
import { describe, expect, it } from 'vitest';
import { probeXml } from '../../electron/core/devices/discovery/ws-discovery';
import { readStationMatch, readStationProbe, stationMatchXml, stationProbeXml } from '../../electron/core/sites/station-discovery';

const FP = Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, '0').toUpperCase()).join(':');
const card = { name: 'North yard & co', host: '10.0.0.5', port: 7447, fingerprint: FP, version: '1.4.0', contract: '1.1' };

describe('station discovery datagrams', () => {
  it('answers only a Probe for wp:Station in its own namespace, not a camera scan', () => {
    const { xml, messageId } = stationProbeXml();
    expect(readStationProbe(xml)).toBe(messageId);
    expect(readStationProbe(probeXml('nvt').xml)).toBeUndefined();
    expect(readStationProbe(probeXml('device').xml)).toBeUndefined();
    // The same local name under another namespace is not ours.
    expect(readStationProbe(xml.replace('xmlns:wp="urn:watchpost:station"', 'xmlns:wp="urn:example:other"'))).toBeUndefined();
    expect(readStationProbe('<not xml')).toBeUndefined();
  });

  it('reads a ProbeMatch back to the station it describes; the sender address stands in for a wildcard one', () => {
    expect(readStationMatch(stationMatchXml('urn:uuid:1', card), '10.0.0.9')).toEqual({ relatesTo: 'urn:uuid:1', station: card });
    expect(readStationMatch(stationMatchXml('urn:uuid:2', { ...card, host: null }), '10.0.0.9')?.station.host).toBe('10.0.0.9');
    expect(readStationMatch(stationMatchXml('urn:uuid:4', { ...card, host: 'fd00::5' }), 'fd00::9')?.station.host).toBe('fd00::5');
    expect(readStationMatch(stationMatchXml('urn:uuid:3', { ...card, fingerprint: 'AB:CD' }), '10.0.0.9')).toBeUndefined();
    expect(readStationMatch(stationProbeXml().xml, '10.0.0.9')).toBeUndefined();
  });
});
