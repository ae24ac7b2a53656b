// The desktop shell's words (notifications, tray, menus) from the renderer's catalogues, in the language chosen in Settings.
import { createInstance, type TFunction } from 'i18next';
import { LANGUAGES, type Language } from '../contract';
import commonDe from '../../renderer/src/i18n/locales/de/common.json';
import commonEn from '../../renderer/src/i18n/locales/en/common.json';
import commonEs from '../../renderer/src/i18n/locales/es/common.json';
import commonZh from '../../renderer/src/i18n/locales/zh/common.json';
import desktopDe from '../../renderer/src/i18n/locales/de/desktop.json';
import desktopEn from '../../renderer/src/i18n/locales/en/desktop.json';
import desktopEs from '../../renderer/src/i18n/locales/es/desktop.json';
import desktopZh from '../../renderer/src/i18n/locales/zh/desktop.json';
import eventsDe from '../../renderer/src/i18n/locales/de/events.json';
import eventsEn from '../../renderer/src/i18n/locales/en/events.json';
import eventsEs from '../../renderer/src/i18n/locales/es/events.json';
import eventsZh from '../../renderer/src/i18n/locales/zh/events.json';

const resources = {
  en: { common: commonEn, desktop: desktopEn, events: eventsEn },
  de: { common: commonDe, desktop: desktopDe, events: eventsDe },
  es: { common: commonEs, desktop: desktopEs, events: eventsEs },
  zh: { common: commonZh, desktop: desktopZh, events: eventsZh },
};

export type Translate = TFunction;
/** A language and its translator, handed to whatever words things. */
export interface Words { lng: Language; t: Translate }

/** The language to word things in: the one chosen in Settings, else the first of the system's that there is a catalogue for, else English. */
export function languageOf(chosen: Language | null, system: readonly string[]): Language {
  if (chosen) return chosen;
  for (const tag of system) {
    const base = tag.toLowerCase().split(/[-_]/)[0];
    if ((LANGUAGES as readonly string[]).includes(base ?? '')) return base as Language;
  }
  return 'en';
}

const made = new Map<Language, Words>();

/** The words of `lng`, English where a key is missing. */
export function wordsFor(lng: Language): Words {
  let w = made.get(lng);
  if (!w) {
    const i18n = createInstance();
    void i18n.init({ resources, lng, fallbackLng: 'en', ns: ['desktop', 'events', 'common'], defaultNS: 'desktop', interpolation: { escapeValue: false }, initAsync: false });
    made.set(lng, (w = { lng, t: i18n.t }));
  }
  return w;
}
