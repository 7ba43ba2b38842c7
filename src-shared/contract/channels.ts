/** Channel names used by the Electron transport (kept apart so the preload bundles nothing else). */
export const IPC_INVOKE_CHANNEL = 'studio:invoke';
export const IPC_EVENT_CHANNEL = 'studio:event';
