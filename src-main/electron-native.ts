import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { packageRoot } from './package-root.js';

/**
 * better-sqlite3 is a native module built for Node by `npm install`; Electron's main process
 * needs a build for Electron's ABI. Rebuilding in place would break every Node-side use (the CLI,
 * browser mode, the tests), so the Electron build lives beside it in .cache/electron-native and
 * is handed to better-sqlite3 as its `nativeBinding`. Made once per Electron version, on the
 * first `npm start` (or at packaging time), from a copy of the package: a prebuilt binary when
 * one can be downloaded, else compiled against Electron's headers.
 */
export function ensureElectronSqliteBinding(log: (line: string) => void): { ok: true; path: string } | { ok: false; reason: string } {
  const require = createRequire(import.meta.url);
  const electronVersion = (JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')) as { version: string }).version;
  const target = join(packageRoot, '.cache', 'electron-native', `better_sqlite3-electron-${electronVersion}-${process.platform}-${process.arch}.node`);
  if (existsSync(target)) return { ok: true, path: target };

  const source = dirname(require.resolve('better-sqlite3/package.json'));
  const work = mkdtempSync(join(tmpdir(), 'es-electron-sqlite-'));
  try {
    for (const entry of ['package.json', 'binding.gyp', 'src', 'deps', 'lib']) cpSync(join(source, entry), join(work, entry), { recursive: true });
    log(`Building better-sqlite3 for Electron ${electronVersion} (once; kept in .cache/electron-native)...`);
    const prebuilt = require.resolve('prebuild-install/bin.js', { paths: [source] });
    const nodeGyp = findNodeGyp();
    const attempts: [string, string[]][] = [
      [process.execPath, [prebuilt, '--runtime', 'electron', '--target', electronVersion, '--arch', process.arch, '--platform', process.platform]],
      ...(nodeGyp === null
        ? []
        : [[process.execPath, [nodeGyp, 'rebuild', '--release', `--target=${electronVersion}`, '--dist-url=https://electronjs.org/headers', `--arch=${process.arch}`]] as [string, string[]]]),
    ];
    // The module must register for Electron's ABI; a build against Node's headers would not load.
    const abi = readFileSync(join(dirname(require.resolve('electron/package.json')), 'abi_version'), 'utf8').trim();
    const failures: string[] = [];
    for (const [command, args] of attempts) {
      // A nodedir setting (npm config) would make node-gyp build against Node's headers, not Electron's.
      const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => key.toLowerCase() !== 'npm_config_nodedir'));
      const run = spawnSync(command, args, { cwd: work, encoding: 'utf8', timeout: 600_000, env });
      const built = join(work, 'build', 'Release', 'better_sqlite3.node');
      if (run.status === 0 && existsSync(built) && readFileSync(built).includes(`node_register_module_v${abi}`)) {
        mkdirSync(dirname(target), { recursive: true });
        cpSync(built, target);
        return { ok: true, path: target };
      }
      const said = (run.stderr || run.stdout || String(run.error ?? '')).trim().split('\n').filter((line) => /err/i.test(line)).slice(0, 2).join(' | ') || undefined;
      failures.push(`${args[0].endsWith('bin.js') ? 'prebuild-install' : 'node-gyp'}: ${said ?? `exit ${run.status}, no module for ABI ${abi}`}`);
    }
    return { ok: false, reason: failures.join('; ') };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** node-gyp as npm ships it (run directly, so no npm config such as nodedir is injected). */
function findNodeGyp(): string | null {
  const candidates = [
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((candidate) => existsSync(candidate)) ?? null;
}
