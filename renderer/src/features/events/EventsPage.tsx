import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { rovingTarget } from '../../ui/roving';
import { EventList } from './EventList';
import { EventSourcesPanel } from './EventSourcesPanel';
import { MotionSettings } from './MotionSettings';
import { RulesEditor } from './RulesEditor';
import { SensorPanel } from './SensorPanel';

const TABS = ['events', 'sensors', 'rules', 'motion', 'sources'] as const;

export function EventsPage() {
  const { t } = useTranslation('events');
  const [tab, setTab] = useState<(typeof TABS)[number]>('events');
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);
  return (
    <section className="page events" aria-labelledby="page-title">
      <header className="page-head">
        <h1 id="page-title" tabIndex={-1}>{t('page.title')}</h1>
        <div role="tablist" aria-label={t('page.tabsLabel')} className="ev-tabs"
          onKeyDown={(e) => { const to = rovingTarget(e, TABS.indexOf(tab), TABS.length); if (to !== undefined) { setTab(TABS[to]!); tabs.current[to]?.focus(); } }}>
          {TABS.map((k, i) => (
            <button key={k} ref={(el) => void (tabs.current[i] = el)} type="button" role="tab" id={`ev-tab-${k}`} aria-selected={tab === k} aria-controls="ev-tabpanel" tabIndex={tab === k ? 0 : -1}
              className={tab === k ? 'active' : ''} onClick={() => setTab(k)} data-tab={k}>{t(`page.tabs.${k}`)}</button>
          ))}
        </div>
      </header>
      <div role="tabpanel" id="ev-tabpanel" aria-labelledby={`ev-tab-${tab}`}>
        {tab === 'events' ? <EventList /> : tab === 'sensors' ? <SensorPanel /> : tab === 'rules' ? <RulesEditor /> : tab === 'motion' ? <MotionSettings /> : <EventSourcesPanel />}
      </div>
    </section>
  );
}
