// A test file's set-up scope: whatever the set-up starts through it is closed after the file's tests, newest first, and
// also when the set-up failed half-way, so no station, camera, cloud or browser outlives its file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** What tests start: a station or camsim process (stop), a browser, camera, fleet or cloud (close), an in-process station (dispose). */
export type Closable = { stop(): unknown } | { close(): unknown } | { dispose(): unknown };

export interface FileScope {
  /** Closes `thing` after the file's tests; returns it. */
  add<T extends Closable>(thing: T): T;
  /** Runs `fn` after the file's tests, before whatever was added earlier is closed. */
  defer(fn: () => unknown): void;
  /** Starts everything at once; when one start fails, the others are still closed after the file. */
  all<T extends readonly Closable[]>(starts: { readonly [K in keyof T]: Promise<T[K]> }): Promise<T>;
  /** A fresh folder under the system temp dir, removed after the file's tests. */
  tempDir(prefix: string): string;
}

function closeOf(thing: Closable): () => unknown {
  if ('stop' in thing) return () => thing.stop();
  if ('close' in thing) return () => thing.close();
  return () => thing.dispose();
}

/** Call once at the top of a test file: its afterAll closes what the file's set-up started. */
export function fileScope(): FileScope {
  const closers: (() => unknown)[] = [];
  afterAll(async () => {
    const errors: unknown[] = [];
    for (const close of closers.splice(0).reverse()) await Promise.resolve().then(close).catch((err: unknown) => errors.push(err));
    if (errors.length) throw errors[0];
  });
  const scope: FileScope = {
    add(thing) {
      closers.push(closeOf(thing));
      return thing;
    },
    defer(fn) {
      closers.push(fn);
    },
    async all<T extends readonly Closable[]>(starts: { readonly [K in keyof T]: Promise<T[K]> }): Promise<T> {
      const settled = await Promise.allSettled(starts as readonly Promise<Closable>[]);
      for (const s of settled) if (s.status === 'fulfilled') scope.add(s.value);
      const failed = settled.find((s) => s.status === 'rejected');
      if (failed) throw failed.reason;
      return settled.map((s) => (s as PromiseFulfilledResult<Closable>).value) as unknown as T;
    },
    tempDir(prefix) {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      closers.push(() => rmSync(dir, { recursive: true, force: true }));
      return dir;
    },
  };
  return scope;
}
