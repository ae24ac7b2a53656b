// The transmission ledger keeps, per row, the station's own English record of why a request was allowed and how it
// ended (it is a record, kept as it was written). These read it in the chosen language; an unknown form is shown as kept.
import i18next from 'i18next';

/** The requests a person makes that the ledger names (cloud-client.accountCall, checkHealth and the account parts). */
const ACTIONS: Record<string, string> = {
  'change your email': 'changeEmail', 'change your password': 'changePassword', 'delete from cloud storage': 'deleteStored',
  'download from cloud storage': 'downloadStored', 'list the feedback you sent': 'listFeedback', 'list your cloud storage': 'listStorage',
  'list your sessions': 'listSessions', 'show the hosted device lists': 'showHosted', 'show your profile photo': 'showPhoto',
  'sign out a session': 'signOutSession', 'sign out everywhere else': 'signOutOthers', 'upload to cloud storage': 'upload',
  'delete my account': 'erase', 'export my data': 'export', grant: 'grant', 'log-in': 'logIn', 'log-out': 'logOut',
  'profile edit': 'profileEdit', 'restriction / objection': 'rights', 'sign-up': 'signUp', 'opened the Privacy page': 'openedPrivacy',
};

const t = (key: string, params?: Record<string, unknown>) => i18next.t(`privacy:ledger.words.${key}`, params ?? {});

function actionText(action: string): string {
  const key = ACTIONS[action];
  if (key) return t(`actions.${key}`);
  // "send feedback: text (37 characters), reply address, dock.png (1 kB)": the parts, as sent.
  const fb = /^send feedback: (.*)$/.exec(action);
  if (fb) return t('actions.sendFeedback', { parts: fb[1]!.replace(/^text \((\d+) characters\)/, (_, n: string) => t('feedbackText', { count: Number(n) })).replace('reply address', t('replyAddress')) });
  return action;
}

export function consentText(consent: string): string {
  let m = /^your request: (.+)$/.exec(consent);
  if (m) return t('request', { action: actionText(m[1]!) });
  m = /^grant(?: #(\d+))? recorded (\S+) under policy (\S+)$/.exec(consent);
  if (m) return m[1] ? t('grantNumbered', { id: m[1], at: m[2] === 'here' ? t('here') : m[2], version: m[3] }) : t('grant', { at: m[2] === 'here' ? t('here') : m[2], version: m[3] });
  const fixed: Record<string, string> = {
    'your account: settings sync, which you chose by signing in': 'settingsSync',
    'your choice: recording it in your account is how it takes effect': 'consentRecord',
    'your account: checking the service and the policy in force': 'serviceCheck',
  };
  return fixed[consent] ? t(fixed[consent]) : consent;
}

export function outcomeText(outcome: string): string {
  if (outcome === 'sent' || outcome === 'refused') return t(`outcome.${outcome}`);
  const m = /^unreachable \((.*)\)$/.exec(outcome);
  return m ? t('outcome.unreachable', { cause: m[1] }) : outcome;
}
