import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from '../../src-shared/contract/channels.js';

// Exposes exactly the contract's two primitives; nothing of Node or Electron leaks through.
contextBridge.exposeInMainWorld('studio', {
  invoke: (method: string, args: unknown): Promise<unknown> => ipcRenderer.invoke(IPC_INVOKE_CHANNEL, method, args),
  on: (eventName: string, listener: (payload: unknown) => void): (() => void) => {
    const handler = (_event: IpcRendererEvent, name: string, payload: unknown) => {
      if (name === eventName) listener(payload);
    };
    ipcRenderer.on(IPC_EVENT_CHANNEL, handler);
    return () => ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler);
  },
});
