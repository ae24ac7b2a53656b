// Which region is local to a country (the transfer notice depends on it), and the regions directory a cloud is given.
import { describe, expect, it } from 'vitest';
import { checkDirectory } from '../../cloud/service';
import { homeRegionOf, isInternationalTransfer } from '../../electron/contract';

describe('regions', () => {
  it('keeps EU/EEA data in Germany, and the other regions for their own country only', () => {
    expect(['DE', 'FR', 'at', 'NO', 'IS'].map(homeRegionOf)).toEqual(['de', 'de', 'de', 'de', 'de']);
    expect(['US', 'SG', 'MY', 'GB', 'CH', 'JP'].map(homeRegionOf)).toEqual(['us', 'sg', 'my', null, null, null]);
    expect(isInternationalTransfer('FR', 'de')).toBe(false);
    expect(isInternationalTransfer('DE', 'us')).toBe(true);
    // A country no region is local to: every region is a transfer.
    expect(isInternationalTransfer('GB', 'de')).toBe(true);
  });

  it('takes a directory of https origins (plain HTTP on loopback only) and names what is wrong', () => {
    expect(checkDirectory({ us: 'https://us.cloud.example/', de: 'http://127.0.0.1:8435' })).toEqual({ us: 'https://us.cloud.example', de: 'http://127.0.0.1:8435' });
    expect(() => checkDirectory({ fr: 'https://fr.cloud.example' })).toThrow('unknown region fr');
    expect(() => checkDirectory({ us: 'http://us.cloud.example' })).toThrow('must be https://');
    expect(() => checkDirectory({ us: 'https://us.cloud.example/v1' })).toThrow('must be an origin');
    expect(() => checkDirectory({ us: 'not a url' })).toThrow('is not a URL');
  });
});
