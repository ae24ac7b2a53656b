import type { View } from '../../app/store';

// Said plainly: these areas are not built yet, and nothing here pretends otherwise.
const PLANS: Partial<Record<View, { what: string; issue: number }>> = {
  live: { what: 'Multi-channel live view: 1–64 tiles over one connection per camera stream, instant start from the cached keyframe.', issue: 4 },
  playback: { what: 'Timeline playback of the archive, synchronized channels, signed export.', issue: 5 },
  devices: { what: 'LAN discovery (ONVIF, Dahua), batch activation and configuration, the device list.', issue: 6 },
  events: { what: 'Events, alarms and sensor readings with snapshots and alarm rules.', issue: 8 },
  privacy: { what: 'Account, per-purpose consent (off until you turn it on), data export and erasure, cloud sync.', issue: 7 },
};

export function ComingPage({ view, title }: { view: View; title: string }) {
  const plan = PLANS[view];
  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-head">
        <h1 id="page-title" tabIndex={-1}>{title}</h1>
      </header>
      <div className="coming">
        <p className="coming-tag">Not built yet</p>
        <p>{plan?.what}</p>
        <p className="muted">Planned in issue #{plan?.issue}. This page does nothing until then.</p>
      </div>
    </section>
  );
}
