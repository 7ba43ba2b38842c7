import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import { err, IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from '../../src-shared/contract/index.js';
import type { EventBus } from '../events.js';
import type { Dispatch } from './dispatch.js';

/**
 * Binds the contract to Electron IPC. Only the window's own top frame, showing the studio's own
 * renderer, may call: a subframe or a page the window was somehow navigated to gets FORBIDDEN.
 */
export function bindIpc(ipcMain: IpcMain, window: BrowserWindow, dispatch: Dispatch, events: EventBus, rendererUrl: string): () => void {
  const isTrusted = (event: IpcMainInvokeEvent): boolean => {
    const frame = event.senderFrame;
    if (frame === null || event.sender !== window.webContents || frame !== window.webContents.mainFrame) return false;
    return frame.url.startsWith(rendererUrl);
  };
  ipcMain.handle(IPC_INVOKE_CHANNEL, (event, method: unknown, args: unknown) => {
    if (!isTrusted(event)) return err('FORBIDDEN', 'this frame may not call the studio');
    return dispatch(method, args);
  });
  const unsubscribe = events.onAny((name, payload) => {
    if (!window.isDestroyed()) window.webContents.send(IPC_EVENT_CHANNEL, name, payload);
  });
  return () => {
    unsubscribe();
    ipcMain.removeHandler(IPC_INVOKE_CHANNEL);
  };
}
