import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type ElectronBinary = { found: true; path: string } | { found: false; reason: string };

/**
 * Finds the Electron executable without triggering the electron package's own lazy download
 * (requiring 'electron' from Node downloads on first use, and throws where that is impossible).
 */
export function findElectronBinary(tryDownload: boolean): ElectronBinary {
  let packageDir: string;
  try {
    packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { found: false, reason: 'the electron package is not installed' };
  }
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const locate = (): string | null => {
    const pathFile = join(packageDir, 'path.txt');
    const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
    if (override) return join(override, relative ?? 'electron');
    return relative === null ? null : join(packageDir, 'dist', relative);
  };
  let binary = locate();
  if ((binary === null || !existsSync(binary)) && tryDownload && !override) {
    const install = spawnSync(process.execPath, [join(packageDir, 'install.js')], { stdio: 'pipe', timeout: 180_000 });
    if (install.status !== 0) {
      const output = `${install.stderr?.toString() ?? ''}${install.stdout?.toString() ?? ''}`;
      const firstError = output.split('\n').find((line) => /error/i.test(line))?.trim() ?? `exit code ${install.status}`;
      return { found: false, reason: `its download failed (${firstError.slice(0, 160)})` };
    }
    binary = locate();
  }
  if (binary === null || !existsSync(binary)) return { found: false, reason: `no binary at ${binary ?? join(packageDir, 'dist')}` };
  return { found: true, path: binary };
}
