/**
 * Why a password is too weak, or undefined when it is acceptable. The rule is Dahua's published one
 * (8-32 characters, at least two of upper/lower/digit/special, none of ' " ; : &), used for ONVIF too.
 */
export function passwordWeakness(pw: string): string | undefined {
  if (pw.length < 8) return 'shorter than 8 characters';
  if (pw.length > 32) return 'longer than 32 characters';
  if (/['";:&\s]/.test(pw)) return "contains one of ' \" ; : & or a space";
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) => re.test(pw)).length;
  if (classes < 2) return 'needs two of upper case, lower case, digits, special characters';
  return undefined;
}
