// The station's refusals: every reason and field label is worded in every language, every call's input field has a label,
// and a validation issue becomes the field's label and a sentence (in English for the log, in the reader's language on the page).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import i18next from 'i18next';
import { afterAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  calls, ERROR_CODES, FIELD_LABELS, fail, fieldOf, inputError, isReason, REASONS, StationError, type CallName,
} from '../../electron/contract';
import { LANGUAGES } from '../../renderer/src/i18n';
import { errorField, errorText } from '../../renderer/src/i18n/errors';

const ROOT = join(import.meta.dirname, '../..');
const catalogue = (lng: string) => JSON.parse(readFileSync(join(ROOT, `renderer/src/i18n/locales/${lng}/errors.json`), 'utf8')) as {
  reasons: Record<string, Record<string, string>>; fields: Record<string, string>; codes: Record<string, string>;
};
const en = catalogue('en');
const refused = (name: CallName, input: unknown) => {
  const r = calls[name].input.safeParse(input, { reportInput: true });
  if (r.success) throw new Error(`${name} accepted ${JSON.stringify(input)}`);
  return inputError(r.error, name);
};

/** Every field path of a schema's input (array items and record values stand for their field). */
function fieldPaths(schema: z.ZodType, path: string[] = []): string[][] {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
  const inner = (s: unknown) => fieldPaths(s as z.ZodType, path);
  switch (def.type) {
    case 'object':
      return Object.entries(def.shape as Record<string, z.ZodType>).flatMap(([k, v]) => [[...path, k], ...fieldPaths(v, [...path, k])]);
    case 'optional': case 'nullable': case 'default': case 'prefault': case 'readonly': case 'catch': case 'nonoptional':
      return inner(def.innerType);
    case 'pipe': return [...inner(def.in), ...inner(def.out)];
    case 'array': return inner(def.element);
    case 'record': return inner(def.valueType);
    case 'union': return (def.options as z.ZodType[]).flatMap(inner);
    default: return [];
  }
}

describe('error reasons and field labels', () => {
  afterAll(() => i18next.changeLanguage('en'));

  it('the English catalogue says exactly what the contract says, reason by reason and label by label', () => {
    const fromContract: Record<string, string> = {};
    for (const [key, [, text]] of Object.entries(REASONS)) {
      if (typeof text === 'string') fromContract[`reasons.${key}`] = text;
      else Object.assign(fromContract, { [`reasons.${key}_one`]: text.one, [`reasons.${key}_other`]: text.other });
    }
    const fromCatalogue = Object.fromEntries(Object.entries(en.reasons).flatMap(([area, texts]) =>
      Object.entries(texts).map(([k, v]) => [`reasons.${area}.${k}`, v])));
    expect(fromCatalogue).toEqual(fromContract);
    expect(en.fields).toEqual(FIELD_LABELS);
    expect(Object.keys(en.codes).sort()).toEqual([...ERROR_CODES].sort());
  });

  it('every language words every reason, label and code, with the same parameters', () => {
    for (const lng of LANGUAGES) {
      const c = catalogue(lng);
      for (const key of Object.keys(REASONS)) {
        const [area, name] = key.split('.') as [string, string];
        const texts = Object.entries(c.reasons[area] ?? {}).filter(([k]) => k === name || k.startsWith(`${name}_`));
        expect(texts.length, `${lng}: reasons.${key}`).toBeGreaterThan(0);
        const holes = (s: string) => [...new Set([...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]))].sort();
        const english = REASONS[key as keyof typeof REASONS][1];
        for (const [, text] of texts) expect(holes(text), `${lng}: reasons.${key}`).toEqual(holes(typeof english === 'string' ? english : english.other));
      }
      for (const f of Object.keys(FIELD_LABELS)) expect(c.fields[f], `${lng}: fields.${f}`).toBeTruthy();
      for (const code of ERROR_CODES) expect(c.codes[code], `${lng}: codes.${code}`).toBeTruthy();
    }
  });

  it('every reason the code names is in the table: fail() is typed, and the contract\'s schema messages are scanned', () => {
    const named: string[] = [];
    const scan = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) scan(p);
        else if (p.endsWith('.ts')) {
          const src = readFileSync(p, 'utf8');
          // fail() as the contract's (some files have a fail of their own), and schema messages that name a reason.
          if (/import [^;]*\bfail\b[^;]*from '[./]*(?:electron\/)?contract'/.test(src)) for (const m of src.matchAll(/\bfail\('([^']+)'/g)) named.push(m[1]!);
          if (p.includes('/contract/')) for (const m of src.matchAll(/(?:message: |, )'((?:field|input)\.[A-Za-z]+)'/g)) named.push(m[1]!);
        }
      }
    };
    for (const d of ['electron/contract', 'electron/core', 'electron/main', 'renderer/src']) scan(join(ROOT, d));
    expect(named.length).toBeGreaterThan(50);
    expect(named.filter((r) => !isReason(r))).toEqual([]);
  });

  it('every input field of every call has a label', () => {
    const missing: string[] = [];
    for (const [name, c] of Object.entries(calls)) {
      for (const path of fieldPaths(c.input)) if (!fieldOf(name, path)) missing.push(`${name} ${path.join('.')}`);
    }
    expect(missing).toEqual([]);
  });

  it('a refused input names the field by its label and says the problem in a sentence', () => {
    const long = refused('channels.addRtsp', { name: 'Door', mainUrl: `rtsp://cam/${'a'.repeat(2100)}`, subUrl: null });
    expect(long.info).toEqual({
      code: 'bad_input', message: 'Main stream URL is too long (at most 2048 characters).', reason: 'field.tooLong', params: { field: 'mainUrl', max: 2048 },
    });
    expect(refused('channels.addRtsp', { mainUrl: 'rtsp://cam/1' }).info).toMatchObject({ reason: 'field.required', params: { field: 'channelName' } });
    expect(refused('channels.addRtsp', { name: 'Door', mainUrl: 'http://cam/1' }).message).toBe('Main stream URL must be an rtsp:// or rtsps:// address.');
    expect(refused('settings.update', { ffmpegPath: 'ffmpeg', bogus: 1 }).message)
      .toBe('ffmpeg path must be an absolute path, starting with / or a drive letter. The request has fields this call does not take: bogus.');
    expect(refused('privacy.signUp', { email: 'a@b.example', password: 'long enough pw', nickname: 'A', country: 'ZZ', dateOfBirth: '1990-01-01' }).info)
      .toMatchObject({ message: 'Country: “ZZ” is not a country code (ISO 3166-1, e.g. DE or US).', params: { field: 'country', value: 'ZZ' } });
    expect(refused('events.updateSettings', { retentionDays: 5, diskLowValue: 100, diskLowUnit: 'percent' }).message).toBe('Disk low below must be less than 100.');
    expect(refused('archive.lock', { channelId: 1, from: 10, to: 5, reason: 'x' }).reason).toBe('input.endBeforeStart');
    // The same field name means another thing in another call.
    expect(refused('devices.changePassword', { id: 1, password: '' }).params).toEqual({ field: 'newDevicePassword' });
  });

  it('a refusal inside a result (one device of many, a stream tried) keeps its reason through the output schema', () => {
    const refusal = fail('device.addressInUse', { field: 'ip', address: '10.0.0.7' }).info;
    expect(calls['devices.configure'].output.parse([{ id: 1, ok: false, reason: refusal.message, error: refusal }])[0]!.error).toEqual(refusal);
    expect(calls['devices.probeStream'].output.parse({ ok: false, error: fail('stream.noVideo', { where: 'cam:554' }).info }).error?.reason).toBe('stream.noVideo');
  });

  it('the page words a refusal in the chosen language, numbers and plurals included, and knows the field it is about', async () => {
    const long = refused('channels.addRtsp', { name: 'Door', mainUrl: `rtsp://cam/${'a'.repeat(2100)}`, subUrl: null }).info;
    const tries = (n: number) => fail('account.wrongLoginTries', { field: 'password', count: n }).info;
    await i18next.changeLanguage('de');
    expect(errorText(long)).toBe('Hauptstream-URL ist zu lang (höchstens 2.048 Zeichen).');
    expect(errorText(tries(1))).toBe('E-Mail oder Passwort ist falsch; noch 1 Versuch.');
    expect(errorText(tries(3))).toBe('E-Mail oder Passwort ist falsch; noch 3 Versuche.');
    expect(errorText(fail('consent.closed', { purpose: 'alarm_push' }).info)).toMatch(/^Es wurde nichts gesendet: „.+“ ist derzeit nicht erlaubt\.$/);
    expect(errorText(fail('account.wrongRegion', { region: 'de' }).info)).toContain('Deutschland');
    // Without a reason (an older station): the code's sentence, not English.
    expect(errorText({ code: 'not_found', message: 'no such thing' })).toBe('Die Station hat das Angefragte nicht gefunden.');
    await i18next.changeLanguage('zh');
    expect(errorText(long)).toBe('主码流 URL太长（最多 2,048 个字符）。');
    await i18next.changeLanguage('en');
    expect(errorText(tries(1))).toBe('Wrong email or password; 1 try left.');
    expect(errorText({ code: 'not_found', message: 'no such thing' })).toBe('no such thing');
    expect(errorField(tries(2))).toBe('password');
    expect(errorField(new StationError('internal', 'x').info)).toBeUndefined();
  });
});
