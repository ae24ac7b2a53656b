import { z } from 'zod';
import { fail } from '../../contract';
import type { Logger } from '../log';
import { readSetting, writeSetting } from '../settings';
import type { Db } from '../storage/db';

const KEY = 'recording.revisions';
const Stored = z.object({ n: z.number().int().nonnegative(), at: z.record(z.string(), z.number().int().nonnegative()) });

/**
 * Optimistic checks on the recording settings, so two desks (or two users of one station) do not silently overwrite each
 * other's changes: `recording.config` says the revision it was read at, a change passes it back, and one to a part
 * (`archive`, `channel:<id>`) changed by someone else since is refused. Each part remembers the revision of its last
 * change, so changes to different channels never conflict. A caller passing no revision (a script) is not checked.
 */
export class SettingsRevisions {
  /** `changed` hears each counted change, once it is stored (the caller's own writes follow in the same synchronous run). */
  constructor(private readonly db: Db, private readonly clock: () => number, private readonly log: Logger, private readonly changed?: (revision: number) => void) {}

  private read(): z.infer<typeof Stored> {
    return readSetting(this.db, KEY, Stored, () => this.log.warn('recording settings revisions unreadable: started again')) ?? { n: 0, at: {} };
  }

  current(): number {
    return this.read().n;
  }

  /** Checks `seen` against the parts' last changes and counts the change; synchronous, so two calls cannot both pass. */
  change(seen: number | undefined, parts: string[]): void {
    const s = this.read();
    if (seen !== undefined && (seen > s.n || parts.some((p) => (s.at[p] ?? 0) > seen))) throw fail('settings.changedMeanwhile', { field: 'revision' });
    s.n += 1;
    for (const p of parts) s.at[p] = s.n;
    writeSetting(this.db, KEY, s, this.clock());
    this.changed?.(s.n);
  }
}
