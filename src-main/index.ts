import { app, BrowserWindow, ipcMain, session } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createStudio, resolveDbPath } from './studio.js';
import { CONTENT_SECURITY_POLICY } from './transport/http.js';
import { bindIpc } from './transport/ipc.js';
import { spawnUtilityTrainer } from './training/spawn-electron.js';

// Electron entry: the composition root for the desktop window. Browser mode (src-main/cli)
// builds the same studio and binds it to HTTP instead.
const here = dirname(fileURLToPath(import.meta.url));
const rendererIndex = join(here, '..', 'renderer', 'index.html');
const rendererUrl = pathToFileURL(join(here, '..', 'renderer')).href + '/';

async function openWindow(): Promise<void> {
  const studio = await createStudio({ dbPath: resolveDbPath(undefined), transport: 'electron', spawnTrainer: () => spawnUtilityTrainer() });

  // Only the microphone (for live classification) is ever granted.
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const audioOnly = permission === 'media' && (details as { mediaTypes?: string[] }).mediaTypes?.every((type) => type === 'audio');
    callback(audioOnly === true);
  });
  session.defaultSession.setPermissionCheckHandler((_contents, permission) => permission === 'media');
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });

  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    title: 'Emotion Studio',
    backgroundColor: '#111318',
    show: false,
    webPreferences: {
      preload: join(here, '..', 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
      // A middle click on a link would otherwise ask for a new window without a click handler seeing it.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  const unbind = bindIpc(ipcMain, window, studio.dispatch, studio.events, rendererUrl);

  window.webContents.on('will-navigate', (event) => event.preventDefault());
  window.webContents.on('will-attach-webview', (event) => event.preventDefault());
  // The studio shows no outside links, so no window is ever opened, inside or in the user's
  // browser: a renderer that asked for one would be running code we did not ship.
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => {
    unbind();
    void studio.close();
  });
  await window.loadFile(rendererIndex);
}

app.enableSandbox();
app.whenReady().then(openWindow, (error: unknown) => {
  console.error(error);
  app.exit(1);
});
app.on('window-all-closed', () => app.quit());
