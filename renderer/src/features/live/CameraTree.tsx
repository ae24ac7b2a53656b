import { useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Channel, StreamStatus } from '../../../../electron/contract';
import { shortcutOf } from '../../app/shortcuts';
import { RtspCameraForm } from '../devices/RtspCameraForm';
import { SiteState } from '../sites/SitesPanel';
import { useSitesQuery } from '../sites/sites-api';
import { useRemoveChannelMutation } from './live-api';
import { CHANNEL_MIME } from './Tile';
import { treeOrder } from './tree-order';

const RANK: Record<StreamStatus['state'], number> = { live: 5, connecting: 4, stalled: 3, idle: 2, offline: 1, auth_failed: 0 };

/** The channel's state in the tree: the better of its two streams. */
export function channelState(c: Channel, statuses: Record<string, StreamStatus | undefined>): StreamStatus['state'] {
  const s = [statuses[`${c.id}/main`], statuses[`${c.id}/sub`]].filter(Boolean) as StreamStatus[];
  return s.sort((a, b) => RANK[b.state] - RANK[a.state])[0]?.state ?? 'idle';
}

interface Props {
  channels: Channel[];
  statuses: Record<string, StreamStatus | undefined>;
  onPlace(channelId: number): void;
}

export function CameraTree({ channels, statuses, onPlace }: Props) {
  const { t } = useTranslation('live');
  const [adding, setAdding] = useState(false);
  const [remove] = useRemoveChannelMutation();
  const [filter, setFilter] = useState('');
  const sites = useSitesQuery().data ?? [];
  const shown = treeOrder(channels.filter((c) => `${c.name} ${c.device?.name ?? ''} ${c.site?.name ?? ''}`.toLowerCase().includes(filter.toLowerCase())));
  // The site tree: this station's cameras, then each other station's under its name and state (channels.list keeps that
  // order); within a station, its devices' channels under the device's name.
  // Stations with no camera to list (none known yet, another version, refused) still show, with their state, at the end.
  const bare = filter ? [] : sites.filter((s) => !channels.some((c) => c.site?.id === s.id));
  const grouped = shown.some((c) => c.site) || bare.length > 0;
  const heading = (c: Channel, i: number) => {
    const prev = i > 0 ? shown[i - 1] : undefined;
    const newSite = grouped && (!prev || prev.site?.id !== c.site?.id);
    const newDevice = c.device && (newSite || prev?.device?.id !== c.device.id);
    const site = c.site && sites.find((s) => s.id === c.site!.id);
    return [
      newSite ? (
        <li key={`site-${c.site?.id ?? 0}`} role="presentation" className="tree-group" data-site={c.site?.id ?? 0}>
          <span className="tree-name">{c.site ? c.site.name : t('sites:tree.here')}</span>
          {site && <SiteState site={site} now={Date.now()} />}
        </li>
      ) : null,
      newDevice ? (
        <li key={`device-${c.site?.id ?? 0}-${c.device!.id}`} role="presentation" className="tree-device" data-device={c.device!.id}>
          <span className="tree-name">{c.device!.name}</span>
        </li>
      ) : null,
    ];
  };
  // One tab stop for the whole list: the active camera; arrows, Home and End move within it.
  const [activeId, setActiveId] = useState<number | null>(null);
  const active = Math.max(0, shown.findIndex((c) => c.id === activeId));
  const items = useRef(new Map<number, HTMLLIElement>());
  const onKey = (e: KeyboardEvent, i: number, c: Channel) => {
    const what = shortcutOf(e, 'cameraList');
    if (what === 'cameraList.move') {
      const to = Math.min(shown.length - 1, Math.max(0, { ArrowUp: i - 1, ArrowDown: i + 1, Home: 0, End: shown.length - 1 }[e.key] ?? i));
      setActiveId(shown[to]!.id);
      items.current.get(shown[to]!.id)?.focus();
    } else if (what === 'cameraList.place') onPlace(c.id);
    else if (what === 'cameraList.remove') { if (confirm(t('tree.confirmRemove', { name: c.name }))) void remove(c.id); }
    else return;
    e.preventDefault();
  };
  return (
    <aside className="tree" aria-label={t('tree.label')}>
      <div className="tree-head">
        <input className="tree-filter" placeholder={t('tree.filter')} value={filter} onChange={(e) => setFilter(e.target.value)} aria-label={t('tree.filter')} />
        <button type="button" onClick={() => setAdding((a) => !a)} aria-expanded={adding} title={t('tree.addTitle')}>{t('tree.add')}</button>
      </div>
      {adding && <RtspCameraForm className="add-camera" onDone={() => setAdding(false)} />}
      {channels.length === 0 && !adding && <p className="muted small tree-empty">{t('tree.empty')}</p>}
      {(shown.length > 0 || bare.length > 0) && <ul role="listbox" aria-label={t('tree.list')}>
        {shown.map((c, i) => [heading(c, i), (
          <li key={c.id} role="option" aria-selected={i === active} tabIndex={i === active ? 0 : -1} draggable data-channel={c.id}
            ref={(el) => { if (el) items.current.set(c.id, el); else items.current.delete(c.id); }}
            className={`tree-item state-${channelState(c, statuses)}${c.device ? ' in-device' : ''}`}
            onDragStart={(e) => { e.dataTransfer.setData(CHANNEL_MIME, String(c.id)); e.dataTransfer.effectAllowed = 'copy'; }}
            onFocus={() => setActiveId(c.id)}
            onDoubleClick={() => onPlace(c.id)}
            onKeyDown={(e) => onKey(e, i, c)}
            title={t('tree.itemTitle')}
          >
            <span className="tile-dot" aria-hidden="true" />
            <span className="tree-name">{c.name}</span>
            {c.subUrl !== null && <span className="muted small">{t('tree.mainSub')}</span>}
          </li>
        )])}
        {bare.map((site) => (
          <li key={`site-${site.id}`} role="presentation" className="tree-group" data-site={site.id}>
            <span className="tree-name">{site.name}</span>
            <SiteState site={site} now={Date.now()} />
          </li>
        ))}
      </ul>}
    </aside>
  );
}
