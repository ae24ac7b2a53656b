// The event-loop probe bench:scale loads into the station (`node --import …/loop-probe.mjs`): the station does not report
// its own event-loop delay, and a probe from outside (a call's round trip) would measure the socket too. Plain JS, loaded
// before tsx, so it needs no build.
//
// Every WP_LOOP_PROBE_EVERY_MS (default 10 s) it appends one JSON line to the file WP_LOOP_PROBE names: the window's delay
// percentiles in ms and the same over every window since SIGUSR2 (the bench sends it when its warm-up ends), so the run's
// p99 is exact rather than a percentile of percentiles. The delay is how late a 10 ms timer fires, as Node's
// monitorEventLoopDelay measures it (whose histogram cannot be added into another: so measured here, into two).
import { appendFileSync } from 'node:fs';
import { createHistogram, performance } from 'node:perf_hooks';

const file = process.env.WP_LOOP_PROBE;
if (file) {
  const every = Number(process.env.WP_LOOP_PROBE_EVERY_MS ?? 10_000);
  const TICK_MS = 10;
  let window = createHistogram();
  let total = createHistogram();
  process.on('SIGUSR2', () => void (total = createHistogram()));
  let due = performance.now() + TICK_MS;
  const tick = () => {
    const now = performance.now();
    // At least 1 ns: a histogram refuses 0.
    const lateNs = Math.max(1, Math.round((now - due) * 1e6));
    window.record(lateNs);
    total.record(lateNs);
    due = now + TICK_MS;
    setTimeout(tick, TICK_MS).unref();
  };
  setTimeout(tick, TICK_MS).unref();
  const ms = (ns) => Math.round(ns / 1e4) / 100;
  setInterval(() => {
    const line = {
      at: Date.now(), n: window.count, p50: ms(window.percentile(50)), p99: ms(window.percentile(99)), max: ms(window.max),
      totalN: total.count, totalP99: ms(total.percentile(99)), totalMax: ms(total.max),
    };
    window = createHistogram();
    try { appendFileSync(file, `${JSON.stringify(line)}\n`); } catch { /* the bench's folder is gone: it ended */ }
  }, every).unref();
}
