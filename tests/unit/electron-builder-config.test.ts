// electron-builder cannot package here (no Electron zip), but its config is validated offline against its schema.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import config from '../../electron-builder.json' with { type: 'json' };

const require = createRequire(import.meta.url);
const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  validateConfiguration(c: unknown, log: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

describe('electron-builder configuration', () => {
  it('is valid for electron-builder 26', async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('the validation really checks (a bad key fails)', async () => {
    await expect(validateConfiguration({ ...config, bogusKey: 1 }, new DebugLogger(false))).rejects.toThrow(/unknown property 'bogusKey'/);
  });

  it('flips the security fuses', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(config.asar).toBe(true);
  });
});
