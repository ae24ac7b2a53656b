// npm run bench:faults [-- --quick] [--only flap,kill9]: the station's worst night, one JSON line.
// - flap: camsim takes the camera off the network every 30 s for 10 minutes (5 s down; --quick: 3 drops every 12 s),
//   flap_reconnect_ms_p95 (camera back -> stream live), flap_gap_error_ms_max (timeline hole vs the video the camera did not deliver:
//   drop -> capture time of the first frame after it), flap_gap_vs_down_ms_max (hole vs the network's down time),
//   flap_leaked_handles (sockets, timers, child processes more than before).
// - kill9: a recorder process killed with SIGKILL 100 times (--quick 10), ffprobe on every indexed segment:
//   kill9_runs, kill9_corrupt_indexes (integrity check failed or an indexed segment that does not play as indexed),
//   kill9_lost_fragments_max.
// - sigterm: the station process recording 64 camsim channels (--quick 16) gets SIGTERM: shutdown_ms, and segments left
//   open, cut or unplayable (sigterm_unclean_segments).
// - backfill: the camera refuses the station for 60 s (--quick 20 s) while it records to its card; once it is back the
//   station fills the outage from the card: backfill_fill_ratio (filled / what the card held; target 1.0),
//   backfill_s_per_minute (seconds from the camera's return until filled, per minute of outage).
// - diskfull: the station's data folder on a 48 MB tmpfs (as root; skipped with the reason elsewhere) filled past the
//   free-space floor, then to the last byte, each time freed again: diskfull_recovered (1 when recording resumed by itself
//   both times, with locked evidence kept and live view going on) and diskfull_corrupt_indexes (integrity checks failed).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cardOutage } from '../../tests/helpers/backfill';
import { cameraFlaps, diskFull, p95, sigtermUnderLoad, smallDisk } from '../../tests/helpers/faults';
import { killRuns } from '../../tests/helpers/kill9';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args[onlyAt + 1]!.split(',') : ['flap', 'kill9', 'diskfull', 'sigterm', 'backfill'];
const out: Record<string, number | string> = { quick: quick ? 1 : 0 };

if (only.includes('flap')) {
  const r = quick ? await cameraFlaps({ flaps: 3, periodMs: 12_000, downMs: 5000 }) : await cameraFlaps({ flaps: 20, periodMs: 30_000, downMs: 5000 });
  Object.assign(out, {
    flap_drops: r.flaps, flap_down_ms: 5000, flap_reconnect_ms_p95: Math.round(p95(r.reconnectMs)), flap_reconnect_ms_max: Math.round(Math.max(...r.reconnectMs)),
    flap_gap_error_ms_max: Math.round(Math.max(...r.gapErrorMs)), flap_gap_vs_down_ms_max: Math.round(Math.max(...r.gapVsDownMs)), flap_leaked_handles: r.leakedTotal,
  });
  if (r.leakedTotal) out.flap_leaked = JSON.stringify(r.leaked);
}

if (only.includes('kill9')) {
  const dir = mkdtempSync(join(tmpdir(), 'wp-bench-kill9-'));
  try {
    const r = await killRuns({ dir, runs: quick ? 10 : 100, channels: 2, spawn });
    Object.assign(out, {
      kill9_runs: r.runs, kill9_corrupt_indexes: r.corruptIndexes + r.unplayable.length, kill9_lost_fragments_max: r.lostMax,
      kill9_segments_probed: r.segments, kill9_fragments_fed: r.fragmentsFed,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (only.includes('diskfull')) {
  const disk = smallDisk();
  try {
    if (disk.cannot) out.diskfull_skipped = disk.cannot;
    else {
      const r = await diskFull(disk.mnt);
      Object.assign(out, {
        diskfull_recovered: r.recovered === 2 && r.floorHeld && r.lockedKept && r.liveKept ? 1 : 0, diskfull_resumes: r.recovered,
        diskfull_corrupt_indexes: r.corruptIndexes, diskfull_locked_kept: r.lockedKept ? 1 : 0, diskfull_live_kept: r.liveKept ? 1 : 0,
      });
    }
  } finally {
    disk.remove();
  }
}

if (only.includes('sigterm')) {
  const r = await sigtermUnderLoad({ channels: quick ? 16 : 64, recordMs: 10_000 });
  Object.assign(out, { sigterm_channels: r.channels, shutdown_ms: Math.round(r.shutdownMs), sigterm_exit_code: r.exitCode ?? -1, sigterm_segments: r.segments, sigterm_unclean_segments: r.unclean.length });
}

if (only.includes('backfill')) {
  const downMs = quick ? 20_000 : 60_000;
  const r = await cardOutage({ downMs });
  Object.assign(out, {
    backfill_down_ms: downMs, backfill_fill_ratio: Math.round(r.fillRatio * 1000) / 1000,
    backfill_s_per_minute: Math.round((r.fillMs / 1000 / (downMs / 60_000)) * 10) / 10, backfill_segments: r.segmentsFromCamera,
  });
}

console.log(JSON.stringify(out));
