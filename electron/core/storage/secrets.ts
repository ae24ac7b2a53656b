import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where device passwords and cloud tokens live. Electron passes a safeStorage one; plain Node uses a key file. */
export interface SecretStore {
  readonly kind: string;
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  keys(): Promise<string[]>;
}

/** Encrypts/decrypts one value; the storage of the ciphertexts is shared by both backends. */
export interface Cipher {
  encrypt(plain: string): Promise<Buffer>;
  decrypt(sealed: Buffer): Promise<string>;
}

/** Keeps ciphertexts (base64) in one JSON file, written atomically with 0600 rights. */
export class FileSecretStore implements SecretStore {
  private readonly file: string;
  constructor(dir: string, private readonly cipher: Cipher, readonly kind: string) {
    this.file = join(dir, 'secrets.json');
  }
  private read(): Record<string, string> {
    if (!existsSync(this.file)) return {};
    const parsed: unknown = JSON.parse(readFileSync(this.file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) throw new Error(`${this.file}: not a secrets file`);
    return parsed as Record<string, string>;
  }
  private write(all: Record<string, string>): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(all), { mode: 0o600 });
    renameSync(tmp, this.file);
  }
  async get(key: string): Promise<string | undefined> {
    const sealed = this.read()[key];
    return sealed === undefined ? undefined : this.cipher.decrypt(Buffer.from(sealed, 'base64'));
  }
  async set(key: string, value: string): Promise<void> {
    const sealed = await this.cipher.encrypt(value);
    this.write({ ...this.read(), [key]: sealed.toString('base64') });
  }
  async delete(key: string): Promise<void> {
    const all = this.read();
    delete all[key];
    this.write(all);
  }
  async keys(): Promise<string[]> {
    return Object.keys(this.read());
  }
}

/** AES-256-GCM with a random key kept in a 0600 key file: the plain-Node backend. */
export class KeyFileCipher implements Cipher {
  private readonly key: Buffer;
  constructor(keyFile: string) {
    if (existsSync(keyFile)) {
      const mode = statSync(keyFile).mode & 0o777;
      if (mode & 0o077) chmodSync(keyFile, 0o600);
      this.key = readFileSync(keyFile);
      if (this.key.length !== 32) throw new Error(`${keyFile}: key file must hold 32 bytes, found ${this.key.length}`);
    } else {
      this.key = randomBytes(32);
      writeFileSync(keyFile, this.key, { mode: 0o600, flag: 'wx' });
    }
  }
  async encrypt(plain: string): Promise<Buffer> {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), body]);
  }
  async decrypt(sealed: Buffer): Promise<string> {
    const d = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(0, 12));
    d.setAuthTag(sealed.subarray(12, 28));
    return Buffer.concat([d.update(sealed.subarray(28)), d.final()]).toString('utf8');
  }
}

export function nodeSecretStore(dataDir: string): SecretStore {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return new FileSecretStore(dataDir, new KeyFileCipher(join(dataDir, 'secrets.key')), 'aes-256-gcm key file');
}
