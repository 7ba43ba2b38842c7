import { createClient, type Client, type Transport } from '../../../src-shared/contract/index.js';
import { ElectronTransport } from './electron-transport.js';
import { WsTransport, type ConnectionStatus } from './ws-transport.js';

export interface Connection {
  client: Client;
  transport: Transport;
  kind: 'electron' | 'browser';
  /** Follows the link to the studio; Electron IPC is always open. */
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
}

/** Electron when the preload exposed `window.studio`, else the WebSocket of browser mode. */
export function connect(): Connection {
  if (window.studio !== undefined) {
    const transport = new ElectronTransport(window.studio);
    return {
      client: createClient(transport),
      transport,
      kind: 'electron',
      onStatus: (listener) => {
        listener('open');
        return () => {};
      },
    };
  }
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const transport = new WsTransport({ url: `${scheme}//${location.host}/api/ws` });
  return { client: createClient(transport), transport, kind: 'browser', onStatus: (listener) => transport.onStatus(listener) };
}
