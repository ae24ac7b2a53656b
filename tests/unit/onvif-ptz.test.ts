// The station's ONVIF PTZ requests and reply parsing (pure; camsim answers them in tests/integration/live-ptz.test.ts).
import { describe, expect, it } from 'vitest';
import { at, parseUntrustedXml, text } from '../../electron/core/net/xml';
import { continuousMoveBody, getPresetsBody, gotoPresetBody, parsePresets, ptzProfiles, setPresetBody, stopBody } from '../../electron/core/devices/drivers/onvif-ptz';

const parse = (xml: string) => {
  const doc = parseUntrustedXml(xml);
  expect(doc, xml).toBeDefined();
  return doc!;
};

describe('ONVIF PTZ request bodies', () => {
  it('ContinuousMove carries pan/tilt in the generic velocity space, clamped to -1..1, and a timeout', () => {
    const doc = parse(continuousMoveBody('prof<1>', { pan: 0.5, tilt: -2, zoom: 0 }, 10));
    const pt = at(doc, 'ContinuousMove', 'Velocity', 'PanTilt') as Record<string, string>;
    expect(pt['@x']).toBe('0.5');
    expect(pt['@y']).toBe('-1');
    expect(pt['@space']).toMatch(/PanTiltSpaces\/VelocityGenericSpace$/);
    expect(at(doc, 'ContinuousMove', 'Velocity', 'Zoom')).toBeUndefined();
    expect(text(at(doc, 'ContinuousMove', 'ProfileToken'))).toBe('prof<1>');
    expect(text(at(doc, 'ContinuousMove', 'Timeout'))).toBe('PT10S');
  });

  it('adds a zoom velocity only when zooming', () => {
    const z = at(parse(continuousMoveBody('p', { pan: 0, tilt: 0, zoom: -0.25 }, 3)), 'ContinuousMove', 'Velocity', 'Zoom') as Record<string, string>;
    expect(z['@x']).toBe('-0.25');
    expect(z['@space']).toMatch(/ZoomSpaces\/VelocityGenericSpace$/);
  });

  it('Stop stops pan/tilt and zoom; presets calls name the profile and preset', () => {
    expect(text(at(parse(stopBody('p1')), 'Stop', 'PanTilt'))).toBe('true');
    expect(text(at(parse(stopBody('p1')), 'Stop', 'Zoom'))).toBe('true');
    expect(text(at(parse(getPresetsBody('p1')), 'GetPresets', 'ProfileToken'))).toBe('p1');
    expect(text(at(parse(gotoPresetBody('p1', '7')), 'GotoPreset', 'PresetToken'))).toBe('7');
    const set = parse(setPresetBody('p1', 'Gate & yard'));
    expect(text(at(set, 'SetPreset', 'PresetName'))).toBe('Gate & yard');
    expect(at(set, 'SetPreset', 'PresetToken')).toBeUndefined();
    expect(text(at(parse(setPresetBody('p1', 'x', '3')), 'SetPreset', 'PresetToken'))).toBe('3');
  });
});

describe('ONVIF PTZ replies', () => {
  const body = (inner: string) => at(parse(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tptz="http://www.onvif.org/ver20/ptz/wsdl"><s:Body>${inner}</s:Body></s:Envelope>`), 'Envelope', 'Body');

  it('reads presets, one or many, skipping ones without a token', () => {
    const one = body('<tptz:GetPresetsResponse><tptz:Preset token="1"><tt:Name>Gate</tt:Name></tptz:Preset></tptz:GetPresetsResponse>');
    expect(parsePresets(at(one, 'GetPresetsResponse'))).toEqual([{ token: '1', name: 'Gate' }]);
    const many = body('<tptz:GetPresetsResponse><tptz:Preset token="1"><tt:Name>A &amp; B</tt:Name></tptz:Preset><tptz:Preset><tt:Name>x</tt:Name></tptz:Preset><tptz:Preset token="9"/></tptz:GetPresetsResponse>');
    expect(parsePresets(at(many, 'GetPresetsResponse'))).toEqual([{ token: '1', name: 'A & B' }, { token: '9', name: '9' }]);
    expect(parsePresets(at(body('<tptz:GetPresetsResponse/>'), 'GetPresetsResponse'))).toEqual([]);
  });

  it('finds per channel (video source) the profile with a PTZConfiguration', () => {
    const r = body(
      '<trt:GetProfilesResponse>' +
      '<trt:Profiles token="a_main"><tt:VideoSourceConfiguration token="vs1"/></trt:Profiles>' +
      '<trt:Profiles token="a_sub"><tt:VideoSourceConfiguration token="vs1"/><tt:PTZConfiguration token="ptz1"/></trt:Profiles>' +
      '<trt:Profiles token="b_main"><tt:VideoSourceConfiguration token="vs2"/></trt:Profiles>' +
      '</trt:GetProfilesResponse>');
    expect([...ptzProfiles(at(r, 'GetProfilesResponse'))]).toEqual([[1, 'a_sub'], [2, null]]);
  });
});
