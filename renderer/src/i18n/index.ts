// Every string a person reads comes from these catalogues: one JSON file per language and namespace (a page's area).
/// <reference types="vite/client" />
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { LANGUAGES, type Language } from '../../../electron/contract';

export { LANGUAGES, type Language };
/** Each language named in itself, for the picker. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', zh: '简体中文', de: 'Deutsch', es: 'Español' };
export const NAMESPACES = ['common', 'live', 'recording', 'devices', 'events', 'privacy', 'settings', 'status', 'desktop', 'shortcuts', 'storage', 'errors', 'operators', 'sites', 'health'] as const;
export type Namespace = (typeof NAMESPACES)[number];

type Catalogue = Record<string, unknown>;
const files = import.meta.glob<Catalogue>('./locales/*/*.json', { eager: true, import: 'default' });

/** language -> namespace -> catalogue, from the files' paths (./locales/de/live.json). */
export function catalogues(): Record<Language, Record<string, Catalogue>> {
  const out = Object.fromEntries(LANGUAGES.map((l) => [l, {}])) as Record<Language, Record<string, Catalogue>>;
  for (const [path, cat] of Object.entries(files)) {
    const [, lng, ns] = /\.\/locales\/([a-z]+)\/([a-z-]+)\.json$/.exec(path) ?? [];
    if (lng && ns && (LANGUAGES as readonly string[]).includes(lng)) out[lng as Language][ns] = cat;
  }
  return out;
}

const STORAGE_KEY = 'watchpost.language';

/** The language chosen in Settings; before any choice, the system's (the browser's list), else English. */
export function initialLanguage(): Language {
  const stored = localStorage.getItem(STORAGE_KEY);
  if ((LANGUAGES as readonly string[]).includes(stored ?? '')) return stored as Language;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.toLowerCase().split('-')[0];
    if ((LANGUAGES as readonly string[]).includes(base ?? '')) return base as Language;
  }
  return 'en';
}

/** Keys asked for that no catalogue has (English included): the e2e tests read this and fail on any. */
export const missingKeys = new Set<string>();

/** The options every instance uses: a key missing in a language falls back to English. */
export function i18nOptions(resources: Record<string, Record<string, Catalogue>>, lng: string) {
  return { resources, lng, fallbackLng: 'en', ns: [...NAMESPACES], defaultNS: 'common', interpolation: { escapeValue: false }, initAsync: false } as const;
}

// Set up on import, in English, so plain modules (and their unit tests) word things too; initI18n picks the person's language.
void i18next.use(initReactI18next).init({
  ...i18nOptions(catalogues(), 'en'),
  saveMissing: true,
  missingKeyHandler: (_lngs, ns, key) => {
    if (missingKeys.has(`${ns}:${key}`)) return;
    missingKeys.add(`${ns}:${key}`);
    console.error(`i18n: no text for ${ns}:${key}`);
  },
});
/** The app's one i18next instance, ready as soon as this module is loaded. */
export const i18n = i18next;

export function initI18n(lng: Language = initialLanguage()) {
  void i18next.changeLanguage(lng);
  document.documentElement.lang = lng === 'zh' ? 'zh-Hans' : lng;
  (window as { watchpostMissingKeys?: Set<string> }).watchpostMissingKeys = missingKeys;
  return i18next;
}

/** Where a choice is also kept for the station (its notifications, tray and menus); set once connected. */
let saveToStation: ((lng: Language) => void) | undefined;
export function saveLanguageWith(save: (lng: Language) => void): void {
  saveToStation = save;
}

export function setLanguage(lng: Language): void {
  localStorage.setItem(STORAGE_KEY, lng);
  saveToStation?.(lng);
  document.documentElement.lang = lng === 'zh' ? 'zh-Hans' : lng;
  void i18next.changeLanguage(lng);
}

export function currentLanguage(): Language {
  return (LANGUAGES as readonly string[]).includes(i18next.language) ? (i18next.language as Language) : 'en';
}
