import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { _electron as electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { findElectronBinary } from '../../src-main/electron-binary.js';
import { ensureElectronSqliteBinding } from '../../src-main/electron-native.js';
import { repoRoot, screenshotDir, tempDbPath } from './harness.js';

// Runs the real desktop window where an Electron binary exists; this machine class cannot
// download one, so here the suite reports itself skipped with the reason in its name.
const binary = findElectronBinary(false);
const title = binary.found ? 'Electron window' : `Electron window (skipped: Electron binary not available, ${binary.reason})`;

if (!binary.found) console.log(`electron.e2e.ts skipped: Electron binary not available (${binary.reason})`);

describe.skipIf(!binary.found)(title, () => {
  it('opens a sandboxed window whose renderer talks to the studio through the preload only', async () => {
    if (!binary.found) return;
    expect(existsSync(join(repoRoot, 'out', 'main', 'index.js'))).toBe(true);
    const sqlite = ensureElectronSqliteBinding(console.log);
    if (!sqlite.ok) throw new Error(`better-sqlite3 for Electron: ${sqlite.reason}`);
    const app = await electron.launch({
      executablePath: binary.path,
      args: [repoRoot],
      env: { ...process.env, EMOTION_STUDIO_DB: tempDbPath(), EMOTION_STUDIO_SQLITE_BINDING: sqlite.path },
    });
    try {
      const window = await app.firstWindow();
      await window.waitForLoadState('domcontentloaded');
      const exposure = await window.evaluate(() => ({
        studio: typeof (window as unknown as { studio?: unknown }).studio,
        require: typeof (window as unknown as { require?: unknown }).require,
        process: typeof (window as unknown as { process?: unknown }).process,
      }));
      expect(exposure).toEqual({ studio: 'object', require: 'undefined', process: 'undefined' });
      const info = await window.evaluate(() =>
        (window as unknown as { studio: { invoke(m: string, a: unknown): Promise<unknown> } }).studio.invoke('app.info', {}),
      );
      expect(info).toMatchObject({ ok: true, value: { transport: 'electron' } });
      const prefs = await app.evaluate(({ BrowserWindow }) => {
        const contents = BrowserWindow.getAllWindows()[0].webContents as unknown as { getLastWebPreferences(): Record<string, unknown> | null };
        const prefs = contents.getLastWebPreferences();
        return { contextIsolation: prefs?.contextIsolation, sandbox: prefs?.sandbox, nodeIntegration: prefs?.nodeIntegration };
      });
      expect(prefs).toEqual({ contextIsolation: true, sandbox: true, nodeIntegration: false });
      mkdirSync(screenshotDir, { recursive: true });
      await window.screenshot({ path: join(screenshotDir, 'electron-window.png') });
    } finally {
      await app.close();
    }
  });
});
