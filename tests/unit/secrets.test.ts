import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KeyFileCipher, nodeSecretStore } from '../../electron/core/storage/secrets';

const dirs: string[] = [];
const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'wp-sec-')); dirs.push(d); return d; };
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

describe('plain-Node SecretStore (AES-256-GCM key file)', () => {
  it('round-trips secrets and keeps neither the key nor the files readable by others', async () => {
    const dir = tmp();
    const store = nodeSecretStore(dir);
    await store.set('device:1', 'Adm1n!pass');
    expect(await store.get('device:1')).toBe('Adm1n!pass');
    expect(statSync(join(dir, 'secrets.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'secrets.json'), 'utf8')).not.toContain('Adm1n!pass');
    // A new store on the same folder (a restart) reads it back with the same key.
    expect(await nodeSecretStore(dir).get('device:1')).toBe('Adm1n!pass');
    await store.delete('device:1');
    expect(await store.get('device:1')).toBeUndefined();
    expect(await store.keys()).toEqual([]);
  });

  it('detects a tampered ciphertext', async () => {
    const dir = tmp();
    const store = nodeSecretStore(dir);
    await store.set('k', 'value');
    const file = join(dir, 'secrets.json');
    const all = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    const bytes = Buffer.from(all.k!, 'base64');
    bytes[bytes.length - 1]! ^= 1;
    writeFileSync(file, JSON.stringify({ k: bytes.toString('base64') }));
    await expect(store.get('k')).rejects.toThrow(/authenticate/);
  });

  it('refuses a key file of the wrong size', () => {
    const file = join(tmp(), 'secrets.key');
    writeFileSync(file, 'short', { mode: 0o600 });
    expect(() => new KeyFileCipher(file)).toThrow(/must hold 32 bytes, found 5/);
  });

  it('tightens a key file left readable by others', () => {
    const file = join(tmp(), 'secrets.key');
    writeFileSync(file, Buffer.alloc(32, 7), { mode: 0o644 });
    new KeyFileCipher(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
