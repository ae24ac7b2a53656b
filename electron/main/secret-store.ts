import { safeStorage } from 'electron';
import type { Cipher } from '../core/storage/secrets';

/** safeStorage's async API as the SecretStore cipher; refuses the plain-text backend. */
export async function safeStorageCipher(): Promise<Cipher> {
  if (!(await safeStorage.isAsyncEncryptionAvailable())) {
    throw new Error('OS secret storage is not available; Watchpost will not keep device passwords without it');
  }
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
    throw new Error('OS secret storage fell back to basic_text (no keyring); install and unlock gnome-keyring or KWallet');
  }
  return {
    encrypt: (plain) => safeStorage.encryptStringAsync(plain),
    decrypt: async (sealed) => (await safeStorage.decryptStringAsync(sealed)).result,
  };
}
