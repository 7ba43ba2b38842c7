import { getContext, hasContext, setContext } from 'svelte';
import { connect, type Connection } from '../api/client.js';

/**
 * The views (Augment, Features, Live) take no required props, so whoever mounts them may pass
 * `connection`, put it in context with `provideConnection`, or neither: then one shared
 * connection is made on first use.
 */
const CONTEXT_KEY = Symbol('emotion-studio/connection');
let fallback: Connection | null = null;

export function provideConnection(connection: Connection): void {
  setContext(CONTEXT_KEY, connection);
}

/** Must be called during component initialisation (it reads context). */
export function useConnection(explicit?: Connection): Connection {
  if (explicit !== undefined) return explicit;
  if (hasContext(CONTEXT_KEY)) return getContext<Connection>(CONTEXT_KEY);
  fallback ??= connect();
  return fallback;
}
