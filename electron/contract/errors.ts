// How the station refuses: a code for programs, a reason and its parameters for the words, an English sentence for logs.
import { z } from 'zod';
import { RIGHT_LABELS, type Right } from './common';
import { FIELD_ALIASES, FIELD_LABELS, REASONS } from './error-texts';
import { PURPOSE_TEXT, type PrivacyPurpose } from './privacy';

export { FIELD_LABELS, REASONS } from './error-texts';

export const ERROR_CODES = ['bad_input', 'not_found', 'unknown_call', 'conflict', 'unavailable', 'internal', 'unauthenticated', 'forbidden'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
export type Reason = keyof typeof REASONS;
export type FieldKey = keyof typeof FIELD_LABELS;
export type ErrorParams = Record<string, string | number>;
/**
 * A refusal on the wire. `reason` + `params` say it in any language (the renderer's `errors:reasons.<reason>`);
 * `params.field` names the input field at fault by its label key (`errors:fields.<field>`); `message` is the English sentence.
 */
export interface ErrorInfo { code: ErrorCode; message: string; reason?: Reason; params?: ErrorParams }
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

export const isReason = (s: unknown): s is Reason => typeof s === 'string' && Object.hasOwn(REASONS, s);
export const isFieldKey = (s: unknown): s is FieldKey => typeof s === 'string' && Object.hasOwn(FIELD_LABELS, s);

/** A refusal inside a result (one device of many, one stream tried): the same shape as a call's. */
export const Refusal = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  reason: z.custom<Reason>(isReason).optional(),
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});

/** Thrown by services and by clients; carries an envelope-ready code, and the reason and its parameters when it has them. */
export class StationError extends Error {
  constructor(readonly code: ErrorCode, message: string, readonly reason?: Reason, readonly params?: ErrorParams) {
    super(message);
    this.name = 'StationError';
  }

  get info(): ErrorInfo {
    return { code: this.code, message: this.message, ...(this.reason ? { reason: this.reason, params: this.params ?? {} } : {}) };
  }

  static from(info: ErrorInfo): StationError {
    return new StationError(info.code, info.message, info.reason, info.params);
  }
}

type TextOf<R extends Reason> = (typeof REASONS)[R][1];
type Holes<S> = S extends `${string}{{${infer P}}}${infer Rest}` ? P | Holes<Rest> : never;
type HolesOf<T> = T extends { other: infer O } ? Holes<O> : Holes<T>;
/** The parameters a reason's sentence takes (`field` is a label key; any reason may name the field it is about). */
export type ParamsOf<R extends Reason> =
  { [K in HolesOf<TextOf<R>>]: K extends 'field' ? FieldKey : K extends 'purpose' ? PrivacyPurpose : string | number } & { field?: FieldKey };
type FailArgs<R extends Reason> = [HolesOf<TextOf<R>>] extends [never]
  ? [params?: ParamsOf<R>, detail?: string]
  : [params: ParamsOf<R>, detail?: string];

const regionNames = new Intl.DisplayNames('en', { type: 'region' });

/** A reason's English sentence with its parameters in place: fields by their labels, purposes by their titles, regions by name. */
export function englishText(reason: Reason, params: ErrorParams = {}): string {
  const text: string | { one: string; other: string } = REASONS[reason][1];
  const template = typeof text === 'string' ? text : params.count === 1 ? text.one : text.other;
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) return '';
    if (name === 'field' && isFieldKey(v)) return FIELD_LABELS[v];
    if (name === 'purpose') return PURPOSE_TEXT[v as PrivacyPurpose]?.title ?? String(v);
    if (name === 'region') return regionNames.of(String(v).toUpperCase()) ?? String(v);
    if (name === 'right') return RIGHT_LABELS[v as Right] ?? String(v);
    return String(v);
  });
}

/**
 * The StationError for a reason: its code, its English sentence (`detail`, for logs and API users, in brackets at its end).
 * `throw fail('device.notFound', { id })`.
 */
export function fail<R extends Reason>(reason: R, ...[params, detail]: FailArgs<R>): StationError {
  const p = (params ?? {}) as ErrorParams;
  const text = englishText(reason, p);
  const message = !detail ? text : text.endsWith('.') ? `${text.slice(0, -1)} (${detail}).` : `${text} (${detail})`;
  return new StationError(REASONS[reason][0], message, reason, p);
}

/** The label key of an input field at `path` of `call`'s input (FIELD_ALIASES first, then its own name, then its parent's). */
export function fieldOf(call: string, path: readonly PropertyKey[]): FieldKey | undefined {
  const segs = path.filter((s): s is string => typeof s === 'string');
  for (; segs.length; segs.pop()) {
    const p = segs.join('.');
    const key = FIELD_ALIASES[`${call} ${p}`] ?? FIELD_ALIASES[p] ?? segs.at(-1);
    if (isFieldKey(key)) return key;
  }
  return undefined;
}

type Issue = z.core.$ZodIssue;
/** What a contract schema says with its message, when the message is a reason ("field.notRtspUrl") rather than words. */
const reasonIn = (issue: Issue): Reason | null => (isReason(issue.message) ? issue.message : null);

/** One validation issue as a reason and its parameters. Parsed with `reportInput`, a missing field is told from a wrong one. */
export function issueReason(issue: Issue, call: string): { reason: Reason; params: ErrorParams } {
  if (issue.code === 'invalid_union' && issue.errors.length) {
    // The branch that came closest: the fewest issues, its first one (its path is below the union's).
    const best = [...issue.errors].sort((a, b) => a.length - b.length)[0]!;
    if (best[0]) return issueReason({ ...best[0], path: [...issue.path, ...best[0].path] }, call);
  }
  const field = fieldOf(call, issue.path);
  const at: ErrorParams = field ? { field } : {};
  const named = reasonIn(issue);
  const custom = issue.code === 'custom' ? (issue.params as ErrorParams | undefined) : undefined;
  if (named) return { reason: named, params: { ...at, ...custom } };
  if (!field && issue.code !== 'unrecognized_keys') return { reason: 'input.invalid', params: {} };
  switch (issue.code) {
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string') return { reason: 'field.tooLong', params: { ...at, max } };
      if (issue.origin === 'array' || issue.origin === 'set') return { reason: 'field.tooMany', params: { ...at, max } };
      return { reason: issue.inclusive === false ? 'field.notBelow' : 'field.tooBig', params: { ...at, max } };
    }
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string') return min <= 1 ? { reason: 'field.required', params: at } : { reason: 'field.tooShort', params: { ...at, min } };
      if (issue.origin === 'array' || issue.origin === 'set') return { reason: 'field.tooFew', params: { ...at, min } };
      return { reason: issue.inclusive === false ? 'field.notAbove' : 'field.tooSmall', params: { ...at, min } };
    }
    case 'invalid_type':
      // Parsed with reportInput, a missing field has no input; without it, only zod's own words tell.
      if ('input' in issue ? issue.input === undefined : / received undefined$/.test(issue.message)) return { reason: 'field.required', params: at };
      return { reason: issue.expected === 'int' ? 'field.notWhole' : 'field.wrongType', params: at };
    case 'invalid_value':
      return { reason: 'field.notOneOf', params: { ...at, options: issue.values.map(String).join(', ') } };
    case 'invalid_format':
      if (issue.format === 'email') return { reason: 'field.notEmail', params: at };
      if (issue.format === 'date') return { reason: 'field.notDate', params: at };
      if (issue.format === 'base64') return { reason: 'field.notBase64', params: at };
      return { reason: 'field.invalidFormat', params: at };
    case 'not_multiple_of':
      return { reason: 'field.notWhole', params: at };
    case 'unrecognized_keys':
      return { reason: 'input.unknownFields', params: { names: issue.keys.join(', ') } };
    default:
      return { reason: 'field.invalid', params: at };
  }
}

/** A call's refused input as one StationError: the first issue's reason, and an English sentence for each of the first five. */
export function inputError(error: z.ZodError, call: string): StationError {
  const reasons = error.issues.map((i) => issueReason(i, call));
  const message = describeZodError(error, call);
  const first = reasons[0] ?? { reason: 'input.invalid' as const, params: {} };
  return new StationError('bad_input', message, first.reason, first.params);
}

/** "Main stream URL is too long (at most 2048 characters)." — the field by its label and the problem, one sentence per issue. */
export function describeZodError(error: z.ZodError, call = ''): string {
  const sentences = error.issues.slice(0, 5).map((i) => {
    const { reason, params } = issueReason(i, call);
    return englishText(reason, params);
  });
  return [...new Set(sentences)].join(' ');
}
