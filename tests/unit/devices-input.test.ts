// The pure parts of what a user types on the Devices and Live pages (issue 22 items 2, 3, 6, 11): IPv4 addresses, two URLs
// of one stream, sweep ranges, and how an unreachable device is worded.
import { describe, expect, it } from 'vitest';
import { IPV4, sameStream } from '../../electron/contract';
import { inRange, sweepTargets } from '../../electron/core/devices/discovery/scanner';
import { unreachable } from '../../electron/core/devices/login-throttle';

describe('IPv4 addresses', () => {
  it('takes four numbers from 0 to 255 and nothing else', () => {
    for (const ok of ['0.0.0.0', '192.168.1.64', '255.255.255.255', '10.0.0.1']) expect(IPV4.test(ok), ok).toBe(true);
    for (const bad of ['999.1.1.1', '256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.-4', ' 1.2.3.4', 'a.b.c.d', '']) expect(IPV4.test(bad), bad).toBe(false);
  });
});

describe('two URLs of one stream', () => {
  const dahua = 'rtsp://192.168.1.64/cam/realmonitor?channel=1&subtype=0';
  it('are the same whatever the credentials, the default port or the ONVIF flags', () => {
    expect(sameStream(dahua, 'rtsp://admin:x@192.168.1.64:554/cam/realmonitor?channel=1&subtype=0&unicast=true&proto=Onvif')).toBe(true);
    expect(sameStream('rtsp://CAM.local/Streaming/Channels/101/', 'rtsp://cam.local/Streaming/Channels/101')).toBe(true);
  });
  it('differ by host, port, path, scheme or a parameter both carry', () => {
    expect(sameStream(dahua, 'rtsp://192.168.1.65/cam/realmonitor?channel=1&subtype=0')).toBe(false);
    expect(sameStream(dahua, 'rtsp://192.168.1.64:8554/cam/realmonitor?channel=1&subtype=0')).toBe(false);
    expect(sameStream(dahua, 'rtsp://192.168.1.64/cam/realmonitor?channel=2&subtype=0')).toBe(false);
    expect(sameStream(dahua, 'rtsp://192.168.1.64/cam/realmonitor?channel=1&subtype=1')).toBe(false);
    expect(sameStream(dahua, 'rtsps://192.168.1.64/cam/realmonitor?channel=1&subtype=0')).toBe(false);
    expect(sameStream(dahua, 'not a url')).toBe(false);
  });
});

describe('a sweep range', () => {
  it('lists each address on the standard discovery ports, across an octet boundary', () => {
    const t = sweepTargets('10.0.0.254', '10.0.1.1');
    expect(t).toEqual(['10.0.0.254', '10.0.0.255', '10.0.1.0', '10.0.1.1'].map((address) => ({ address, wsdPort: 3702, dhipPort: 37810 })));
    expect(inRange('10.0.0.255', '10.0.0.254', '10.0.1.1')).toBe(true);
    expect(inRange('10.0.1.2', '10.0.0.254', '10.0.1.1')).toBe(false);
  });
  it('is refused backwards or over 1024 addresses, naming the field', () => {
    expect(sweepTargets('10.0.0.9', '10.0.0.1')).toMatchObject({
      message: 'Last address: 10.0.0.1 comes before the first, 10.0.0.9; a sweep runs from the lower address to the higher.',
      reason: 'scan.rangeReversed', params: { field: 'lastAddress', from: '10.0.0.9', to: '10.0.0.1' },
    });
    expect(sweepTargets('10.0.0.0', '10.0.4.0')).toMatchObject({ message: 'Last address: 10.0.0.0 to 10.0.4.0 holds 1025 addresses; a sweep asks at most 1024.' });
    expect(sweepTargets('10.0.0.0', '10.0.3.255')).toHaveLength(1024);
  });
});

describe('an unreachable device, in words', () => {
  const failed = (cause: object) => Object.assign(new TypeError('fetch failed'), { cause });
  it('names its address and port and what happened', async () => {
    expect(unreachable('127.0.0.1:8080', failed({ code: 'ECONNREFUSED' })).info).toMatchObject({ reason: 'device.connectionRefused', params: { address: '127.0.0.1', port: 8080 } });
    expect(unreachable('127.0.0.1:8080', failed({ code: 'ECONNREFUSED' })).message).toBe('Nothing answers at 127.0.0.1:8080: the connection was refused. Check the IP address and the HTTP port.');
    expect(unreachable('10.1.1.1:80', failed({ code: 'EHOSTUNREACH' })).message).toBe('10.1.1.1:80 cannot be reached from this station (no route to host).');
    expect(unreachable('10.1.1.1:80', Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' })).message)
      .toBe('10.1.1.1:80 did not answer in time. Check the IP address and that the device is switched on.');
    expect(unreachable('10.1.1.1:80', failed({ code: 'EPROTO', message: 'wrong version number' })).message).toBe('The device at 10.1.1.1:80 did not answer (wrong version number).');
  });
  it('says which port fetch will not open (the WHATWG bad-port list), as fetch really fails on it', async () => {
    const err = await fetch('http://127.0.0.1:1/').then(() => undefined, (e: unknown) => e);
    expect(unreachable('127.0.0.1:1', err).message).toBe('HTTP port: the station does not connect to port 1, which is reserved for another service; a device\'s HTTP port is usually 80.');
  });
});
