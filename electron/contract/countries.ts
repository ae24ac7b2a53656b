// ISO 3166-1 alpha-2: the 249 officially assigned country codes (Intl.DisplayNames names them in any language).
export const COUNTRY_CODES = (
  'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
  'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR ' +
  'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP ' +
  'KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT ' +
  'MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW ' +
  'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ ' +
  'UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
).split(' ');
const KNOWN = new Set(COUNTRY_CODES);

export const isCountryCode = (code: string): boolean => KNOWN.has(code);

/** The countries of the EU and the EEA: their data stays in the European region (DE) without an international transfer. */
const EEA = new Set((
  'AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO'
).split(' '));

/**
 * The data region that is local to a country (ISO 3166-1 alpha-2): US, DE for the EU/EEA, SG, MY; null where none of the
 * regions is (every region is then an international transfer). An account kept elsewhere needs the transfer notice.
 */
export function homeRegionOf(country: string): 'us' | 'de' | 'sg' | 'my' | null {
  const c = country.trim().toUpperCase();
  if (c === 'US') return 'us';
  if (c === 'SG') return 'sg';
  if (c === 'MY') return 'my';
  return EEA.has(c) ? 'de' : null;
}

/** Whether keeping the data of a person in `country` in `region` is an international transfer (the notice must be acknowledged). */
export const isInternationalTransfer = (country: string, region: string): boolean => homeRegionOf(country) !== region;
