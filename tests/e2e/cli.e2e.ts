import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findElectronBinary } from '../../src-main/electron-binary.js';
import { EMOTIONS } from '../../src-shared/model/labels.js';
import { ravdessDir, repoRoot, runCli, sharedDir, tempDbPath } from './harness.js';

const referenceDir = join(sharedDir, 'reference', 'librosa');
const built = existsSync(join(repoRoot, 'out', 'main', 'cli.js'));

describe.skipIf(!built)('emotion-studio command line (needs the build in out/: npm run build)', () => {
  it('rejects a bad command, a bad flag and a missing folder with a clear message and a non-zero exit', async () => {
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const badPort = await runCli(['serve', '--port', 'eighty']);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('--port eighty');
    const missing = await runCli(['import', '/no/such/corpus', '--db', tempDbPath()]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('/no/such/corpus: no such folder');
    const badSet = await runCli(['features', '/x.wav', '--set', 'mfcc-13']);
    expect(badSet.stderr).toContain('--set mfcc-13: unknown feature set');
  });

  it('npm start without an Electron binary says so in one line and serves browser mode behind a token', async () => {
    if (findElectronBinary(false).found) return; // the Electron spec covers the window where it exists
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'emotion-studio.js'), 'start', '--db', tempDbPath()], { cwd: repoRoot });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await expect.poll(() => output, { timeout: 60_000 }).toMatch(/\?token=\S+/);
      const lines = output.trim().split('\n');
      expect(lines[0]).toMatch(/^Electron binary not available \(.+\); starting browser mode instead\.$/);
      const url = new URL(/(http:\/\/\S+)/.exec(output)![1]);
      expect(url.hostname).toBe('127.0.0.1');
      expect((await fetch(url.origin + '/')).status).toBe(401);
      expect((await fetch(url.href, { redirect: 'manual' })).status).toBe(302);
    } finally {
      child.kill('SIGTERM');
    }
  });

  describe.skipIf(!existsSync(ravdessDir))(`on RAVDESS (needs ${ravdessDir})`, () => {
    it('imports the shared corpus: every clip, counts per emotion, and a second run imports nothing', async () => {
      const db = tempDbPath();
      const first = await runCli(['import', ravdessDir, '--db', db, '--json']);
      expect(first.code, first.stderr).toBe(0);
      const summary = JSON.parse(first.stdout) as { imported: number; skipped: number; failed: unknown[]; byLabel: Record<string, number>; duplicates: { path: string; sameAs: string }[] };
      const actors = readdirCount(ravdessDir);
      expect(summary.failed).toEqual([]);
      expect(summary.imported).toBe(actors * 60);
      for (const emotion of EMOTIONS) expect(summary.byLabel[emotion]).toBe(actors * (emotion === 'neutral' ? 4 : 8));
      // The corpus holds one byte-identical pair; both are clips, and the pair is reported.
      for (const duplicate of summary.duplicates) expect(readFileSync(duplicate.path).equals(readFileSync(duplicate.sameAs))).toBe(true);
      expect(first.stderr).toMatch(/Importing \[#+\] \d+\/\d+/);

      const second = await runCli(['import', ravdessDir, '--db', db, '--json']);
      expect(JSON.parse(second.stdout)).toMatchObject({ imported: 0, skipped: actors * 60, failed: [] });

      const listed = await runCli(['clips', '--db', db, '--label', 'angry', '--actor', '3', '--json']);
      const clips = JSON.parse(listed.stdout) as { total: number; clips: { label: string; actor: number; gender: string }[] };
      expect(clips.total).toBe(8);
      for (const clip of clips.clips) expect(clip).toMatchObject({ label: 'angry', actor: 3, gender: 'male' });
    });

    it.each([
      ['Actor_01/03-01-05-02-01-01-01.wav', 'ravdess-03-01-05-02-01-01-01.json'],
      ['Actor_07/03-01-08-02-01-01-07.flac', 'ravdess-03-01-08-02-01-01-07.json'],
    ])('features %s --set seed-2376 --json meets the bounds against librosa', async (clip, reference) => {
      const out = await runCli(['features', join(ravdessDir, clip), '--set', 'seed-2376', '--json']);
      expect(out.code, out.stderr).toBe(0);
      const ours = JSON.parse(out.stdout) as { set: string; shape: number[]; values: number[] };
      expect(ours.set).toBe('seed-2376');
      expect(ours.shape).toEqual([2376]);
      if (!existsSync(join(referenceDir, reference))) return;
      const theirs = (JSON.parse(readFileSync(join(referenceDir, reference), 'utf8')) as { seed_2376: number[] }).seed_2376;
      const delta = ours.values.map((value, i) => Math.abs(value - theirs[i]));
      const mfcc = delta.slice(216);
      expect(Math.max(...delta.slice(0, 108))).toBeLessThanOrEqual(0.05);
      expect(Math.max(...delta.slice(108, 216))).toBeLessThanOrEqual(5e-4);
      expect(mfcc.reduce((a, b) => a + b, 0) / mfcc.length).toBeLessThanOrEqual(0.15);
      expect(Math.max(...mfcc)).toBeLessThanOrEqual(0.5);
    });
  });
});

/** Actor folders present (the shared copy holds actors 01-20). */
function readdirCount(folder: string): number {
  return readdirSync(folder).filter((name) => /^Actor_\d\d$/.test(name)).length;
}
