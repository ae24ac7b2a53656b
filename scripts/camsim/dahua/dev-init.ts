import { passwordWeakness, type SimDevice } from '../device';

// Initialisation of a factory-new Dahua device. Public descriptions: the DevInit.* RPC on /OutsideCmd
// without a session (DevInit.getStatus, DevInit.account; Intelbras/Dahua field notes and the RPC wrapper
// in a public Dahua web-client port), and NetSDK's CLIENT_InitDevAccount (szMac, szUserName, szPwd).
// Real firmware wraps the account in {salt, cipher, content} (RSA+AES after Security.getEncryptInfo);
// camsim takes the plain {name, pwd} form and refuses the encrypted one with a clear error.

export type InitResult = { ok: true } | { ok: false; error: { code: number; message: string } };

export function initializeDevice(device: SimDevice, params: Record<string, unknown>): InitResult {
  if (device.initialized) return { ok: false, error: { code: 268632064, message: 'Device already initialized' } };
  if ('cipher' in params || 'content' in params) {
    return { ok: false, error: { code: 268959743, message: 'camsim does not simulate the encrypted DevInit envelope; send {name, pwd}' } };
  }
  const pick = (...keys: string[]) => {
    for (const k of keys) if (typeof params[k] === 'string') return params[k] as string;
    return undefined;
  };
  const name = pick('name', 'UserName', 'userName') ?? 'admin';
  const pwd = pick('pwd', 'Pwd', 'password');
  if (!pwd) return { ok: false, error: { code: 268959743, message: 'Password missing' } };
  const weak = passwordWeakness(pwd);
  if (weak) return { ok: false, error: { code: 268959743, message: `Password too weak: ${weak}` } };
  const mail = pick('mail', 'Mail');
  if (mail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(mail)) return { ok: false, error: { code: 268959743, message: 'Invalid mail address' } };
  device.users.set(name, { username: name, password: pwd, level: 'Administrator' });
  device.resetEmail = mail || undefined;
  device.announceChange();
  return { ok: true };
}
