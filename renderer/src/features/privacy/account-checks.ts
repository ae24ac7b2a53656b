// What the log-in and sign-up forms check before anything is sent, as the reasons the station itself gives.
import { isCountryCode, type ErrorParams, type Reason } from '../../../../electron/contract';

export type AccountField = 'email' | 'password' | 'nickname' | 'country' | 'dateOfBirth';
/** A problem with one field, in the shape of a station refusal (errorText words it). */
export interface FieldProblem { reason: Reason; params: ErrorParams }
export type FieldProblems = Partial<Record<AccountField, FieldProblem>>;

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const problem = (reason: Reason, field: AccountField, params: ErrorParams = {}): FieldProblem => ({ reason, params: { field, ...params } });

/** The date of a moment in UTC, as the station counts ages. */
export const utcDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Whole years between a YYYY-MM-DD birth date and a YYYY-MM-DD day. */
export function ageOn(dateOfBirth: string, day: string): number {
  const [y, m, d] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = day.split('-').map(Number) as [number, number, number];
  return ty - y - (tm < m || (tm === m && td < d) ? 1 : 0);
}

export function logInProblems(f: { email: string; password: string }): FieldProblems {
  const out: FieldProblems = {};
  if (!f.email.trim()) out.email = problem('field.required', 'email');
  else if (!EMAIL.test(f.email.trim())) out.email = problem('field.notEmail', 'email');
  if (!f.password) out.password = problem('field.required', 'password');
  return out;
}

export function signUpProblems(
  f: { email: string; password: string; nickname: string; country: string; dateOfBirth: string }, minimumAge: number, now: number,
): FieldProblems {
  const out = logInProblems(f);
  if (f.password && f.password.length < 10) out.password = problem('field.tooShort', 'password', { min: 10 });
  else if (f.password.length > 256) out.password = problem('field.tooLong', 'password', { max: 256 });
  if (!f.nickname.trim()) out.nickname = problem('field.required', 'nickname');
  else if (f.nickname.trim().length > 64) out.nickname = problem('field.tooLong', 'nickname', { max: 64 });
  const country = f.country.trim().toUpperCase();
  if (!country) out.country = problem('field.required', 'country');
  else if (!isCountryCode(country)) out.country = problem('field.notCountry', 'country', { value: country });
  const today = utcDate(now);
  if (!f.dateOfBirth) out.dateOfBirth = problem('field.required', 'dateOfBirth');
  else if (!DATE.test(f.dateOfBirth)) out.dateOfBirth = problem('field.notDate', 'dateOfBirth');
  else if (f.dateOfBirth > today) out.dateOfBirth = problem('field.inFuture', 'dateOfBirth');
  else if (ageOn(f.dateOfBirth, today) < minimumAge) out.dateOfBirth = problem('account.underAge', 'dateOfBirth', { age: minimumAge });
  return out;
}
