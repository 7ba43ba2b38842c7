import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, alive, sleep } from './helpers.js';

/** One progress line of `emotion-studio import`: files committed so far, of how many, and the last one's path. */
export interface Progress {
  done: number;
  total: number;
  detail: string;
  atMs: number;
}

/** When to kill the import: after a progress line reaching `done` (plus a delay), or after a delay from spawn. */
export type KillPlan = { kind: 'count'; done: number; extraDelayMs: number } | { kind: 'delay'; afterMs: number };

export interface ImportRun {
  progress: Progress[];
  /** True when the kill landed while the import still ran. */
  killed: boolean;
  /** Milliseconds from spawn to the kill (or to the exit). */
  elapsedMs: number;
  exitCode: number | null;
  /** Everything the CLI wrote (stdout and stderr interleaved under a pty). */
  output: string;
}

const CLI = join(REPO_ROOT, 'bin', 'emotion-studio.js');
const PROGRESS = /Importing \[[#.]*\] (\d+)\/(\d+) ?([^\r\n]*)/g;

/**
 * Under a pseudo-terminal the CLI redraws its progress after every commit; on a pipe it prints a
 * line only every 2 s. The pty (util-linux `script`) gives a kill point per commit, so it is used
 * where it exists; the CLI is exec'd so that the pty's child IS the import process we kill.
 */
export const usePty = process.platform === 'linux' && existsSync('/proc/self/task') && spawnSync('script', ['--version']).status === 0;

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The pid of the first child of `pid` (Linux /proc), or null while there is none. */
function firstChild(pid: number): number | null {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return children === '' ? null : Number(children.split(/\s+/)[0]);
  } catch {
    return null;
  }
}

/** Runs `emotion-studio import <folder> --db <dbPath> --json`, killing it with SIGKILL per `plan`. */
export async function runImport(folder: string, dbPath: string, plan: KillPlan | null): Promise<ImportRun> {
  const args = [CLI, 'import', folder, '--db', dbPath, '--json'];
  const started = performance.now();
  let child: ChildProcess;
  if (usePty) {
    const command = `exec ${[process.execPath, ...args].map(shellQuote).join(' ')}`;
    child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO_ROOT });
  } else {
    child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO_ROOT });
  }
  let output = '';
  const progress: Progress[] = [];
  let killAt: (() => void) | null = null;
  let killed = false;
  let elapsedMs = 0;
  let importPid: number | null = usePty ? null : (child.pid ?? null);

  const kill = (): void => {
    if (killed || exited) return;
    importPid ??= firstChild(child.pid ?? -1);
    if (importPid === null || !alive(importPid)) return;
    elapsedMs = performance.now() - started;
    process.kill(importPid, 'SIGKILL');
    killed = true;
  };

  let exited = false;
  const onData = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    // A line may arrive in two chunks, so the (short) output is scanned whole each time; a line
    // cut at the chunk's end is recounted once complete, with its full detail.
    const atMs = performance.now() - started;
    const lines = [...output.matchAll(PROGRESS)];
    for (let i = progress.length > 0 ? progress.length - 1 : 0; i < lines.length; i++) {
      const match = lines[i];
      progress[i] = { done: Number(match[1]), total: Number(match[2]), detail: match[3].trim(), atMs: progress[i]?.atMs ?? atMs };
    }
    killAt?.();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = new Promise<number | null>((done) => child.once('exit', (code) => {
    exited = true;
    done(code);
  }));

  if (plan?.kind === 'delay') {
    const timer = setTimeout(kill, plan.afterMs);
    void exit.then(() => clearTimeout(timer));
  } else if (plan?.kind === 'count') {
    let armed = false;
    killAt = () => {
      const last = progress[progress.length - 1];
      if (armed || last === undefined || last.done < plan.done) return;
      armed = true;
      if (plan.extraDelayMs <= 0) kill();
      else setTimeout(kill, plan.extraDelayMs);
    };
  }
  const exitCode = await exit;
  if (!killed) elapsedMs = performance.now() - started;
  // Under the pty the import process is a grandchild-turned-child: make sure it is gone too.
  if (importPid !== null) for (let i = 0; i < 100 && alive(importPid); i++) await sleep(20);
  return { progress, killed, elapsedMs, exitCode, output };
}

/** The JSON summary the CLI prints on stdout after a complete import. */
export function summaryOf(run: ImportRun): { imported: number; skipped: number; failed: unknown[]; byLabel: Record<string, number>; cancelled: boolean } {
  const line = run.output.split(/\r?\n|\r/).find((text) => text.trim().startsWith('{"datasetId"'));
  if (line === undefined) throw new Error(`no JSON summary in the output:\n${run.output.slice(-2000)}`);
  return JSON.parse(line.trim()) as ReturnType<typeof summaryOf>;
}
