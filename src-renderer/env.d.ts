/// <reference types="svelte" />
/// <reference types="vite/client" />
import type { EventMap, EventName, MethodName, Result } from '../src-shared/contract/index.js';

/** What the Electron preload exposes through contextBridge; absent in browser mode. */
export interface StudioBridge {
  invoke(method: MethodName, args: unknown): Promise<Result<unknown>>;
  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void;
}

declare global {
  interface Window {
    studio?: StudioBridge;
  }
}
