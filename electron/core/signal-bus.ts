import { signals, type SignalName, type SignalPayload } from '../contract';

export type SignalListener = (name: SignalName, payload: unknown) => void;

/** Typed fan-out of contract signals (the station's pushes) to every transport; payloads are checked against the contract. */
export class SignalBus {
  private readonly listeners = new Set<SignalListener>();

  emit<K extends SignalName>(name: K, payload: SignalPayload<K>): void {
    const checked = signals[name].parse(payload);
    for (const l of [...this.listeners]) l(name, checked);
  }

  subscribe(listener: SignalListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.listeners.size;
  }
}
