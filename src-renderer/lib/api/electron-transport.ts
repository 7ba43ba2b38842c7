import type { EventMap, EventName, MethodName, Result, Transport } from '../../../src-shared/contract/index.js';
import type { StudioBridge } from '../../env.js';

/** The contract over the preload's `window.studio`: IPC replies are already Results. */
export class ElectronTransport implements Transport {
  constructor(private readonly bridge: StudioBridge) {}

  async invoke(method: MethodName, args: unknown): Promise<Result<unknown>> {
    try {
      return await this.bridge.invoke(method, args);
    } catch (error) {
      // IPC itself failed (main process gone, or a value that cannot be cloned).
      const reason = error instanceof Error ? error.message : String(error);
      return { ok: false, error: { code: 'INTERNAL', message: `${method} could not reach the main process: ${reason}` } };
    }
  }

  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void {
    return this.bridge.on(event, listener);
  }
}
