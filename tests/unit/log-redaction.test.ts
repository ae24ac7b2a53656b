import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, scrubSecrets } from '../../electron/core/log';

describe('structured logs keep secrets out', () => {
  it('scrubs credentials in URLs and token queries', () => {
    expect(scrubSecrets('open rtsp://admin:Sup3r$ecret@127.0.1.4:554/cam')).toBe('open rtsp://***:***@127.0.1.4:554/cam');
    expect(scrubSecrets('GET /?token=abc123&x=1')).toBe('GET /?token=***&x=1');
  });

  it('redacts secret fields and URLs in records written to the log file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wp-log-'));
    const log = createLogger(dir);
    log.info({ password: 'Sup3r$ecret', device: { password: 'Sup3r$ecret', name: 'cam' }, token: 'tok-999' }, 'added device');
    log.warn('connect rtsp://admin:Sup3r$ecret@127.0.1.4/stream failed');
    log.flush();
    await new Promise((r) => setTimeout(r, 200));
    const text = readFileSync(join(dir, 'station.log'), 'utf8');
    expect(text).toContain('added device');
    expect(text).toContain('"name":"cam"');
    expect(text).not.toContain('Sup3r$ecret');
    expect(text).not.toContain('tok-999');
    rmSync(dir, { recursive: true, force: true });
  });
});
