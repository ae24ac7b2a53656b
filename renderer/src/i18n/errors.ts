// The station's refusals in the reader's language: a reason and its parameters through the `errors` catalogue.
import i18next from 'i18next';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { ERROR_CODES, isFieldKey, isReason, type ErrorCode, type ErrorInfo, type FieldKey } from '../../../electron/contract';
import { currentLanguage } from '.';
import { formatNumber } from './format';

/** Numbers that name something (a channel, a port, an HTTP status) rather than count it: shown as they are. */
const NAMES = new Set(['id', 'channel', 'port', 'status', 'count']);

const infoOf = (err: unknown): Partial<ErrorInfo> => (err && typeof err === 'object' ? (err as Partial<ErrorInfo>) : {});

/** A parameter as the sentence shows it: a field by its label, a purpose by its title, a region by its name, numbers in the language. */
function shown(name: string, v: string | number): string | number {
  if (name === 'field' && isFieldKey(v)) return i18next.t(`errors:fields.${v}`);
  if (name === 'purpose') return i18next.t(`privacy:purposes.${v}.title`);
  if (name === 'right') return i18next.t(`operators:rights.${v}`);
  if (name === 'region' && typeof v === 'string' && /^[a-z]{2}$/i.test(v)) {
    return new Intl.DisplayNames(currentLanguage(), { type: 'region' }).of(v.toUpperCase()) ?? v;
  }
  if (typeof v === 'number' && !NAMES.has(name)) return formatNumber(v);
  return v;
}

/**
 * What went wrong, in the chosen language: the reason's sentence with its parameters; without a reason (an older
 * station, a transport failure), the station's English message where English is chosen, else the code's sentence.
 */
export function errorText(err: unknown): string {
  const e = infoOf(err);
  if (isReason(e.reason)) {
    const params = Object.fromEntries(Object.entries(e.params ?? {}).map(([k, v]) => [k, shown(k, v)]));
    return i18next.t(`errors:reasons.${e.reason}`, params);
  }
  if (currentLanguage() === 'en' && typeof e.message === 'string' && e.message) return e.message;
  const code: ErrorCode = (ERROR_CODES as readonly unknown[]).includes(e.code) ? (e.code as ErrorCode) : 'internal';
  return i18next.t(`errors:codes.${code}`);
}

/** The input field a refusal is about (its label key), so a form can show it there and clear it once that field changes. */
export function errorField(err: unknown): FieldKey | undefined {
  const f = infoOf(err).params?.field;
  return isFieldKey(f) ? f : undefined;
}

/** errorText for a component: it renders again when the language changes. */
export function useErrorText(): (err: unknown) => string {
  const { i18n } = useTranslation('errors');
  // The language is what the text depends on.
  return useCallback((err: unknown) => errorText(err), [i18n.language]);
}
