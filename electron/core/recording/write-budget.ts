// One memory bound for everything the recorders have queued for the disk (issue 17). Each channel used to have a queue
// of its own (16 MiB), so 64 channels on a slow disk could hold a gibibyte; now they share one budget. While it has room
// any channel may queue; when it is full, the channel furthest behind (the most bytes waiting for the disk) gives way:
// it sheds what it queued and has not begun writing, and drops fragments up to a keyframe found with room again, its
// hole recorded as a 'disk' gap — what one channel on a slow disk always did. Pure bookkeeping: the recorder does the
// shedding when asked (BudgetMember.shed).

export interface BudgetMember {
  /**
   * Give way: drop the queued fragments not yet being written (handing their bytes back with `give` before returning)
   * and the next ones up to a keyframe. Returns the bytes freed (0: nothing could go, and nothing changed).
   */
  shed(): number;
}

export interface WriteBudgetState {
  maxBytes: number;
  usedBytes: number;
  /** Channels shed since start (each time the budget was full and one channel gave way). */
  sheds: number;
}

export class WriteBudget {
  private readonly held = new Map<BudgetMember, number>();
  usedBytes = 0;
  sheds = 0;

  constructor(readonly maxBytes: number) {}

  /** Bytes `m` has queued and not yet written. */
  heldBy(m: BudgetMember): number {
    return this.held.get(m) ?? 0;
  }

  /** Counts bytes queued by `m` whatever the room (an init segment: small, and a segment cannot start without it). */
  take(m: BudgetMember, bytes: number): void {
    this.held.set(m, this.heldBy(m) + bytes);
    this.usedBytes += bytes;
  }

  /** Bytes of `m` written (or dropped before they were). */
  give(m: BudgetMember, bytes: number): void {
    const left = this.heldBy(m) - bytes;
    if (left > 0) this.held.set(m, left);
    else this.held.delete(m);
    this.usedBytes = Math.max(0, this.usedBytes - bytes);
  }

  /** Whether `bytes` more fit now (audio: taken only when it fits, never a reason to shed). */
  fits(bytes: number): boolean {
    return this.usedBytes + bytes <= this.maxBytes;
  }

  /**
   * `m` wants to queue `bytes`. With room they are taken. Without, the member furthest behind sheds — the others in
   * turn while one sheds nothing (all it holds is being written) — until they fit; when `m` itself is furthest behind
   * of those left (ties included), nothing more is shed and false says `m` drops this fragment.
   */
  admit(m: BudgetMember, bytes: number): boolean {
    const tried = new Set<BudgetMember>();
    while (!this.fits(bytes)) {
      let victim: BudgetMember | undefined;
      for (const [o, n] of this.held) if (o !== m && !tried.has(o) && n > this.heldBy(m) && n > (victim ? this.heldBy(victim) : 0)) victim = o;
      if (!victim) return false;
      tried.add(victim);
      if (victim.shed() > 0) this.sheds++;
    }
    this.take(m, bytes);
    return true;
  }

  /** A member that gave way starts again (at a keyframe) once the budget is back under half: no flapping at the edge. */
  canResume(bytes: number): boolean {
    return this.usedBytes + bytes <= this.maxBytes / 2;
  }

  state(): WriteBudgetState {
    return { maxBytes: this.maxBytes, usedBytes: this.usedBytes, sheds: this.sheds };
  }
}
