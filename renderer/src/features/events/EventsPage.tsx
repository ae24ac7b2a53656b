import { useState } from 'react';
import { EventList } from './EventList';
import { MotionSettings } from './MotionSettings';
import { RulesEditor } from './RulesEditor';
import { SensorPanel } from './SensorPanel';

const TABS = [['events', 'Events'], ['sensors', 'Sensors'], ['rules', 'Alarm rules'], ['motion', 'Motion detection']] as const;

export function EventsPage() {
  const [tab, setTab] = useState<(typeof TABS)[number][0]>('events');
  return (
    <section className="page events" aria-labelledby="page-title">
      <header className="page-head">
        <h1 id="page-title" tabIndex={-1}>Events</h1>
        <div role="tablist" aria-label="Events views" className="ev-tabs">
          {TABS.map(([k, label]) => (
            <button key={k} type="button" role="tab" aria-selected={tab === k} className={tab === k ? 'active' : ''} onClick={() => setTab(k)} data-tab={k}>{label}</button>
          ))}
        </div>
      </header>
      <div role="tabpanel">
        {tab === 'events' ? <EventList /> : tab === 'sensors' ? <SensorPanel /> : tab === 'rules' ? <RulesEditor /> : <MotionSettings />}
      </div>
    </section>
  );
}
