// The catalogues: every language has every English key with the same placeholders; a missing one falls back to English.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { i18nOptions, LANGUAGES, NAMESPACES } from '../../renderer/src/i18n';

const DIR = join(import.meta.dirname, '../../renderer/src/i18n/locales');

function flatten(o: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
    if (typeof v === 'string') out.set(prefix + k, v);
    else for (const [kk, vv] of flatten(v, `${prefix}${k}.`)) out.set(kk, vv);
  }
  return out;
}
const read = (lng: string, ns: string) => flatten(JSON.parse(readFileSync(join(DIR, lng, `${ns}.json`), 'utf8')));
// Plural forms differ by language (zh has only _other; de/es have _one/_other), so they compare by their base key.
const base = (k: string) => k.replace(/_(zero|one|two|few|many|other)$/, '');
const placeholders = (s: string) => [...s.matchAll(/\{\{\s*([\w.]+)/g)].map((m) => m[1]).sort();

describe('i18n catalogues', () => {
  it('has a file for every language and namespace, and no other', () => {
    for (const lng of LANGUAGES) expect(readdirSync(join(DIR, lng)).sort()).toEqual(NAMESPACES.map((n) => `${n}.json`).sort());
  });

  for (const lng of LANGUAGES.filter((l) => l !== 'en')) {
    it(`${lng}: every English key, no stray key, the same placeholders, no empty text`, () => {
      const problems: string[] = [];
      for (const ns of NAMESPACES) {
        const en = read('en', ns), other = read(lng, ns);
        const enBases = new Set([...en.keys()].map(base)), otherBases = new Set([...other.keys()].map(base));
        for (const k of enBases) if (!otherBases.has(k)) problems.push(`missing ${ns}:${k}`);
        for (const k of otherBases) if (!enBases.has(k)) problems.push(`stray ${ns}:${k}`);
        for (const [k, v] of other) {
          if (!v.trim()) problems.push(`empty ${ns}:${k}`);
          const enText = en.get(k) ?? en.get(`${base(k)}_other`) ?? en.get(base(k));
          if (enText !== undefined && new Set(placeholders(v)).size !== new Set(placeholders(enText)).size)
            problems.push(`placeholders differ in ${ns}:${k}: ${JSON.stringify(placeholders(enText))} vs ${JSON.stringify(placeholders(v))}`);
        }
      }
      expect(problems).toEqual([]);
    });
  }

  it('falls back to English for a key a language lacks', async () => {
    const t = i18next.createInstance();
    await t.init(i18nOptions({ en: { common: { a: 'Apply', b: 'Both' } }, de: { common: { b: 'Beide' } } }, 'de'));
    expect(t.t('b')).toBe('Beide');
    expect(t.t('a')).toBe('Apply');
  });
});
