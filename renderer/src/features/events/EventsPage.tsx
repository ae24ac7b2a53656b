import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { EventList } from './EventList';
import { MotionSettings } from './MotionSettings';
import { RulesEditor } from './RulesEditor';
import { SensorPanel } from './SensorPanel';

const TABS = ['events', 'sensors', 'rules', 'motion'] as const;

export function EventsPage() {
  const { t } = useTranslation('events');
  const [tab, setTab] = useState<(typeof TABS)[number]>('events');
  return (
    <section className="page events" aria-labelledby="page-title">
      <header className="page-head">
        <h1 id="page-title" tabIndex={-1}>{t('page.title')}</h1>
        <div role="tablist" aria-label={t('page.tabsLabel')} className="ev-tabs">
          {TABS.map((k) => (
            <button key={k} type="button" role="tab" aria-selected={tab === k} className={tab === k ? 'active' : ''} onClick={() => setTab(k)} data-tab={k}>{t(`page.tabs.${k}`)}</button>
          ))}
        </div>
      </header>
      <div role="tabpanel">
        {tab === 'events' ? <EventList /> : tab === 'sensors' ? <SensorPanel /> : tab === 'rules' ? <RulesEditor /> : <MotionSettings />}
      </div>
    </section>
  );
}
