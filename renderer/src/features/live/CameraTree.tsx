import { useState, type FormEvent } from 'react';
import type { Channel, StreamStatus } from '../../../../electron/contract';
import { useAddChannelMutation, useRemoveChannelMutation } from './live-api';
import { CHANNEL_MIME } from './Tile';

const RANK: Record<StreamStatus['state'], number> = { live: 5, connecting: 4, stalled: 3, idle: 2, offline: 1, auth_failed: 0 };

/** The channel's state in the tree: the better of its two streams. */
export function channelState(c: Channel, statuses: Record<string, StreamStatus | undefined>): StreamStatus['state'] {
  const s = [statuses[`${c.id}/main`], statuses[`${c.id}/sub`]].filter(Boolean) as StreamStatus[];
  return s.sort((a, b) => RANK[b.state] - RANK[a.state])[0]?.state ?? 'idle';
}

function AddCamera({ onDone }: { onDone(): void }) {
  const [add, { isLoading, error }] = useAddChannelMutation();
  const [form, setForm] = useState({ name: '', mainUrl: '', subUrl: '' });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await add({ name: form.name, mainUrl: form.mainUrl.trim(), subUrl: form.subUrl.trim() || null });
    if (!('error' in r)) onDone();
  };
  const input = (key: keyof typeof form, label: string, placeholder: string) => (
    <label className="field-stack">
      <span>{label}</span>
      <input name={key} value={form[key]} placeholder={placeholder} spellCheck={false} autoComplete="off"
        onChange={(e) => setForm({ ...form, [key]: e.target.value })} />
    </label>
  );
  return (
    <form className="add-camera" onSubmit={submit} aria-label="Add a camera by RTSP URL">
      {input('name', 'Name', 'Lobby')}
      {input('mainUrl', 'Main stream URL', 'rtsp://user:password@host:554/…')}
      {input('subUrl', 'Sub stream URL (optional)', 'rtsp://…subtype=1')}
      {error && <p className="error" role="alert">{'message' in error ? String(error.message) : 'could not add'}</p>}
      <div className="actions">
        <button type="submit" className="primary" disabled={isLoading}>Add</button>
        <button type="button" onClick={onDone}>Cancel</button>
      </div>
      <p className="muted small">The password is kept encrypted by the station and never shown again.</p>
    </form>
  );
}

interface Props {
  channels: Channel[];
  statuses: Record<string, StreamStatus | undefined>;
  onPlace(channelId: number): void;
}

export function CameraTree({ channels, statuses, onPlace }: Props) {
  const [adding, setAdding] = useState(false);
  const [remove] = useRemoveChannelMutation();
  const [filter, setFilter] = useState('');
  const shown = channels.filter((c) => c.name.toLowerCase().includes(filter.toLowerCase()));
  return (
    <aside className="tree" aria-label="Cameras">
      <div className="tree-head">
        <input className="tree-filter" placeholder="Filter cameras" value={filter} onChange={(e) => setFilter(e.target.value)} aria-label="Filter cameras" />
        <button type="button" onClick={() => setAdding((a) => !a)} aria-expanded={adding} title="Add a camera by RTSP URL">+ Add</button>
      </div>
      {adding && <AddCamera onDone={() => setAdding(false)} />}
      {channels.length === 0 && !adding && <p className="muted small tree-empty">No cameras yet. Add one by its RTSP URL with + Add.</p>}
      <ul role="listbox" aria-label="Camera list">
        {shown.map((c) => (
          <li key={c.id} role="option" aria-selected={false} tabIndex={0} draggable data-channel={c.id}
            className={`tree-item state-${channelState(c, statuses)}`}
            onDragStart={(e) => { e.dataTransfer.setData(CHANNEL_MIME, String(c.id)); e.dataTransfer.effectAllowed = 'copy'; }}
            onDoubleClick={() => onPlace(c.id)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') onPlace(c.id);
              else if (e.key === 'Delete' && confirm(`Remove camera "${c.name}"? Its saved password is erased.`)) void remove(c.id);
            }}
            title="Drag onto a tile, or press Enter to show it in the selected tile"
          >
            <span className="tile-dot" aria-hidden="true" />
            <span className="tree-name">{c.name}</span>
            {c.subUrl && <span className="muted small">main+sub</span>}
          </li>
        ))}
      </ul>
    </aside>
  );
}
