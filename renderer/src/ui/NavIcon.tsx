import type { View } from '../app/store';

// 20x20 line icons; paths kept tiny on purpose.
const PATHS: Record<View, string> = {
  live: 'M3 5h10v10H3zM13 8l4-2v8l-4-2',
  playback: 'M10 3a7 7 0 1 1 0 14a7 7 0 0 1 0-14M8 7v6l5-3z',
  storage: 'M4 5c0-1.5 12-1.5 12 0v10c0 1.5-12 1.5-12 0zM4 5c0 1.5 12 1.5 12 0M4 10c0 1.5 12 1.5 12 0',
  devices: 'M3 4h14v8H3zM7 16h6M10 12v4',
  events: 'M10 3l7 13H3zM10 8v4M10 14v.5',
  privacy: 'M10 3l6 2v5c0 4-3 6-6 7c-3-1-6-3-6-7V5z',
  settings: 'M4 6h12M4 10h12M4 14h12M7 4v4M13 8v4M9 12v4',
  status: 'M10 3a7 7 0 1 1 0 14a7 7 0 0 1 0-14M10 9v5M10 6v.5',
  operators: 'M7 8a3 3 0 1 0 0-.1M2 17c0-3 2-5 5-5s5 2 5 5M13 9a2.5 2.5 0 1 0 0-.1M14 12c2 0 4 1.5 4 4',
  health: 'M2 10h4l2-5l4 10l2-5h4',
};

export function NavIcon({ view }: { view: View }) {
  return (
    <svg className="nav-icon" viewBox="0 0 20 20" width="18" height="18" aria-hidden="true">
      <path d={PATHS[view]} fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
