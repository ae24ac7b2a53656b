import { events, type EventName, type EventPayload } from '../../contract';

export type EventListener = (name: EventName, payload: unknown) => void;

/** Typed fan-out of contract events to every transport; payloads are checked against the contract. */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  emit<K extends EventName>(name: K, payload: EventPayload<K>): void {
    const checked = events[name].parse(payload);
    for (const l of [...this.listeners]) l(name, checked);
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.listeners.size;
  }
}
