import type { EventMap, EventName } from '../src-shared/contract/index.js';

type Listener<E extends EventName> = (payload: EventMap[E]) => void;
type AnyListener = (name: EventName, payload: EventMap[EventName]) => void;

/** The main process's event bus: services emit, every transport forwards to its renderers. */
export class EventBus {
  private readonly listeners = new Set<AnyListener>();

  emit<E extends EventName>(name: E, payload: EventMap[E]): void {
    for (const listener of this.listeners) listener(name, payload);
  }

  /** Listens to every event; returns the unsubscribe function. */
  onAny(listener: AnyListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  on<E extends EventName>(name: E, listener: Listener<E>): () => void {
    return this.onAny((event, payload) => {
      if (event === name) listener(payload as EventMap[E]);
    });
  }
}
