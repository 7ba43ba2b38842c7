import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';

const FILE_NAME = 'catalog.db';

/**
 * Where the catalog lives unless --db says otherwise: EMOTION_STUDIO_DB, else the platform's
 * user-data folder (the same folder Electron's app.getPath('userData') would give, computed
 * here without importing electron so the CLI and tests can use it).
 */
export function defaultDbPath(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (env.EMOTION_STUDIO_DB) return env.EMOTION_STUDIO_DB;
  const join = platform === 'win32' ? win32.join : posix.join;
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Emotion Studio', FILE_NAME);
  if (platform === 'win32') {
    return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Emotion Studio', FILE_NAME);
  }
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'emotion-studio', FILE_NAME);
}
