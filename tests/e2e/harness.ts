import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const sharedDir = resolve(repoRoot, '..', 'shared');
export const ravdessDir = join(sharedDir, 'data', 'ravdess-speech');
export const screenshotDir = join(repoRoot, 'test-results', 'screenshots');

const CHROMIUM_CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The Chromium to drive, or null (tests then skip, naming what is missing). */
export function findChromium(): string | null {
  return CHROMIUM_CANDIDATES.find((candidate): candidate is string => candidate !== undefined && existsSync(candidate)) ?? null;
}

export function tempDbPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'es-e2e-')), 'catalog.db');
}

export interface RunningServer {
  url: string;
  origin: string;
  token: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `emotion-studio serve` on a free port and waits for the URL it prints. */
export async function startServer(dbPath: string, extraArgs: string[] = []): Promise<RunningServer> {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'emotion-studio.js'), 'serve', '--port', '0', '--db', dbPath, ...extraArgs], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not print its URL in 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /(http:\/\/\S+\?token=\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        done(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => fail(new Error(`server exited with ${code}:\n${output}`)));
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    token: parsed.searchParams.get('token') ?? '',
    process: child,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

/** Runs the CLI to completion and returns its stdout. */
export async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'emotion-studio.js'), ...args], { cwd: repoRoot });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number>((done) => child.on('exit', (exitCode) => done(exitCode ?? 1)));
  return { code, stdout, stderr };
}

export async function launchChromium(executablePath: string, extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
      ...extraArgs,
    ],
  });
}

/**
 * A small corpus in a new temporary folder: for each actor, the files of its shared folder that
 * `pick` keeps from the sorted list, linked (WAV and FLAC as they are).
 */
export function smallCorpus(prefix: string, actors: readonly string[], pick: (sortedFiles: string[]) => string[]): string {
  const root = mkdtempSync(join(tmpdir(), `${prefix}-`));
  for (const actor of actors) {
    mkdirSync(join(root, actor));
    for (const file of pick(readdirSync(join(ravdessDir, actor)).sort())) symlinkSync(join(ravdessDir, actor, file), join(root, actor, file));
  }
  return root;
}

/** True when the build holds the training process (and, with `renderer`, the renderer too). */
export function trainerBuilt(renderer: boolean): boolean {
  return existsSync(join(repoRoot, 'out', 'main', 'train-process.js')) && (!renderer || existsSync(join(repoRoot, 'out', 'renderer', 'index.html')));
}

/**
 * The page's uncaught errors (and, unless `console` is false, its console errors) as they
 * happen, for a test to assert there were none.
 */
export function collectProblems(page: Page, options: { console?: boolean } = {}): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  if (options.console !== false) {
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
  }
  return problems;
}
