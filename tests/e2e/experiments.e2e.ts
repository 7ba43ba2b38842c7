import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMOTIONS } from '../../src-shared/model/labels.js';
import { collectProblems, findChromium, launchChromium, ravdessDir, runCli, screenshotDir, smallCorpus, startServer, tempDbPath, trainerBuilt, type RunningServer } from './harness.js';

// Experiments and error analysis end to end: two runs trained from the command line with
// different learning rates and epochs, compared in the GUI; a confusion cell's clips; a relabel
// from the Errors view that reaches the catalog and its history; rename, tag, delete.
const ACTORS = ['Actor_01', 'Actor_02', 'Actor_03', 'Actor_04'];
const PER_ACTOR = 16;
const chromiumPath = findChromium();
const built = trainerBuilt(true);
const skipReason = !existsSync(ravdessDir)
  ? `needs the RAVDESS folder ${ravdessDir}`
  : chromiumPath === null
    ? 'needs Chromium (/usr/bin/chromium, or set CHROMIUM_PATH)'
    : !built
      ? 'needs the build (npx electron-vite build)'
      : null;
const title = skipReason === null ? 'experiments and error analysis in Chromium' : `experiments and error analysis in Chromium (skipped: ${skipReason})`;

interface CliClip {
  id: number;
  label: string;
  labelSource: string;
}

async function catalogClip(dbPath: string, clipId: number): Promise<CliClip | undefined> {
  const listed = await runCli(['clips', '--db', dbPath, '--json', '--limit', '1000']);
  expect(listed.code, listed.stderr).toBe(0);
  return (JSON.parse(listed.stdout) as { clips: CliClip[] }).clips.find((clip) => clip.id === clipId);
}

async function rowIds(page: Page): Promise<number[]> {
  return page.$$eval('[data-testid=run-row]', (rows) => rows.map((row) => Number((row as HTMLElement).dataset.runId)));
}

async function train(dbPath: string, args: string[]): Promise<number> {
  const result = await runCli(['train', '--db', dbPath, '--preset', 'tiny-cnn1d', '--test-actors', '4', '--val-actors', '3', '--json', ...args]);
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { runId: number }).runId;
}

describe.skipIf(skipReason !== null)(title, () => {
  let server: RunningServer | null = null;
  let browser: Browser | null = null;
  let dbPath = '';
  let runA = 0;
  let runB = 0;

  beforeAll(async () => {
    dbPath = tempDbPath();
    const imported = await runCli(['import', smallCorpus('es-exp-corpus', ACTORS, (files) => files.slice(0, PER_ACTOR)), '--db', dbPath, '--json']);
    expect(imported.code, imported.stderr).toBe(0);
    runA = await train(dbPath, ['--epochs', '3', '--lr', '0.003', '--name', 'lr 0.003']);
    runB = await train(dbPath, ['--epochs', '5', '--lr', '0.01', '--name', 'lr 0.01']);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('compares two runs, lists a confusion cell, relabels from the Errors view, renames, tags and deletes', async () => {
    mkdirSync(screenshotDir, { recursive: true });
    server = await startServer(dbPath);
    browser = await launchChromium(chromiumPath ?? '');
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const problems = collectProblems(page);
    await page.goto(server.url);
    await page.click('[data-testid=tab-experiments]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=run-row]').length === 2);
    expect(await page.textContent('[data-testid=runs-count]')).toBe('2 of 2 runs');
    expect(await rowIds(page)).toEqual([runB, runA]);

    // Sorting: by learning rate, largest first, then smallest first.
    await page.click('[data-testid=sort-learningRate]');
    expect(await rowIds(page)).toEqual([runB, runA]);
    await page.click('[data-testid=sort-learningRate]');
    expect(await rowIds(page)).toEqual([runA, runB]);
    expect(await page.locator('[data-testid=run-lr]').allTextContents()).toEqual(['0.003', '0.01']);

    // Filtering by words.
    await page.fill('[data-testid=runs-filter]', '0.01');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=run-row]').length === 1);
    expect(await rowIds(page)).toEqual([runB]);
    await page.fill('[data-testid=runs-filter]', '');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=run-row]').length === 2);

    // Rename (double-click, Enter) and tag.
    const rowA = page.locator(`[data-testid=run-row][data-run-id="${runA}"]`);
    const rowB = page.locator(`[data-testid=run-row][data-run-id="${runB}"]`);
    await rowA.locator('[data-testid=run-name]').dblclick();
    await page.fill('[data-testid=run-name-input]', 'baseline');
    await page.keyboard.press('Enter');
    await rowA.locator('[data-testid=run-name]', { hasText: 'baseline' }).waitFor();
    await rowB.locator('[data-testid=run-tag]').click();
    await page.fill('[data-testid=run-tags-input]', 'sweep, high lr');
    await page.keyboard.press('Enter');
    await rowB.locator('[data-testid=run-tags]').waitFor();
    expect(await rowB.locator('[data-testid=run-tags] .tag').allTextContents()).toEqual(['sweep', 'high-lr']);

    // Both survive a reload (they are stored), and the tab is remembered.
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=run-row]').length === 2);
    expect(await rowA.locator('[data-testid=run-name]').textContent()).toBe('baseline');
    await page.fill('[data-testid=runs-filter]', 'high-lr');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=run-row]').length === 1);
    await page.fill('[data-testid=runs-filter]', '');

    // Compare: the diff names exactly the two settings that differ; curves, matrices, per-class, per-clip.
    await rowA.locator('[data-testid=run-select]').check();
    await rowB.locator('[data-testid=run-select]').check();
    await page.waitForSelector('[data-testid=config-diff]');
    const diffKeys = await page.$$eval('[data-testid=diff-row]', (rows) => rows.map((row) => (row as HTMLElement).dataset.key));
    expect(diffKeys.sort()).toEqual(['epochs', 'learningRate']);
    const diffCells = await page.$$eval('[data-testid=diff-row][data-key=learningRate] td', (cells) => cells.map((cell) => cell.textContent));
    expect(diffCells.slice(1)).toEqual(['0.003', '0.01']);
    await page.waitForSelector('[data-testid=compare-val-acc][data-series="2"][data-points="5"]');
    expect(await page.locator('[data-testid=compare-confusion]').count()).toBe(2);
    expect(await page.locator('[data-testid=per-class-row]').count()).toBeGreaterThan(0);
    await page.waitForSelector('[data-testid=clip-diff-summary]');
    expect(await page.textContent('[data-testid=clip-diff-summary]')).toContain(`${PER_ACTOR} test clips predicted by both`);
    const onlyA = Number(await page.getAttribute('[data-testid=clip-diff-only-a]', 'data-count'));
    expect(await page.locator('[data-testid=clip-diff-only-a] [data-testid=clip-diff-item]').count()).toBe(onlyA);
    await page.screenshot({ path: join(screenshotDir, 'experiments.png') });
    await page.locator('[data-testid=compare]').screenshot({ path: join(screenshotDir, 'experiments-compare.png') });

    // Errors view: run A's test confusion matrix; a cell lists exactly its clips.
    await page.keyboard.press('Alt+6');
    await page.waitForSelector('[data-testid=errors-view]');
    await page.selectOption('[data-testid=errors-run-picker]', String(runA));
    await page.waitForSelector(`[data-testid=confusion-matrix][data-run-id="${runA}"]`);
    const cells = await page.$$eval('[data-testid=confusion-matrix] [data-testid=confusion-cell]', (nodes) =>
      nodes.map((node) => {
        const data = (node as HTMLElement).dataset;
        return { truth: data.true ?? '', predicted: data.predicted ?? '', count: Number(data.count) };
      }),
    );
    expect(cells.reduce((sum, cell) => sum + cell.count, 0)).toBe(PER_ACTOR);
    const cell = [...cells].sort((a, b) => Number(b.truth !== b.predicted) - Number(a.truth !== a.predicted) || b.count - a.count)[0];
    await page.click(`[data-testid=confusion-cell][data-true="${cell.truth}"][data-predicted="${cell.predicted}"]`);
    await page.waitForSelector(`[data-testid=error-list][data-count="${cell.count}"][data-mode=cell]`);
    const items = await page.$$eval('[data-testid=error-item]', (nodes) => nodes.map((node) => ({ ...(node as HTMLElement).dataset })));
    expect(items.every((item) => item.label === cell.truth && item.predicted === cell.predicted)).toBe(true);

    // The first clip opens with the model's probabilities; a key relabels it through the catalog.
    const clipId = Number(items[0].clipId);
    await page.waitForSelector(`[data-testid=clip-view][data-clip-id="${clipId}"]`);
    await page.waitForSelector(`[data-testid=clip-probabilities][data-clip-id="${clipId}"]`);
    const original = await page.getAttribute('[data-testid=clip-label]', 'data-label');
    expect(original).toBe(cell.truth);
    const target = cell.predicted !== original ? cell.predicted : EMOTIONS.find((label) => label !== original) ?? 'neutral';
    await page.keyboard.press(String(EMOTIONS.indexOf(target as (typeof EMOTIONS)[number]) + 1));
    await page.waitForSelector(`[data-testid=clip-label][data-label="${target}"]`);
    await page.waitForSelector(`[data-testid=error-item][data-clip-id="${clipId}"][data-current-label="${target}"]`);
    await page.waitForFunction((label) => document.querySelector<HTMLElement>('[data-testid=history-item]')?.dataset.newLabel === label, target);
    expect(await page.getAttribute('[data-testid=history-item] >> nth=0', 'title')).toBe(`relabelled ${original} → ${target}`);
    expect(await catalogClip(dbPath, clipId)).toMatchObject({ label: target, labelSource: 'user' });
    await page.screenshot({ path: join(screenshotDir, 'errors.png') });

    // The existing undo takes it back, from here too.
    await page.keyboard.press('Control+z');
    await page.waitForSelector(`[data-testid=clip-label][data-label="${original}"]`);
    await page.waitForSelector('[data-testid=history-item][data-action=undo]');
    expect((await catalogClip(dbPath, clipId))?.label).toBe(original);

    // Likely mislabeled: every clip of the run, highest loss first, reviewed with ↓ / ↑.
    await page.click('[data-testid=mode-ranking]');
    await page.waitForSelector(`[data-testid=error-list][data-mode=ranking][data-count="${ACTORS.length * PER_ACTOR}"]`);
    const losses = await page.$$eval('[data-testid=error-item]', (nodes) => nodes.map((node) => Number((node as HTMLElement).dataset.loss)));
    expect(losses).toEqual([...losses].sort((a, b) => b - a));
    const ranked = await page.$$eval('[data-testid=error-item]', (nodes) => nodes.slice(0, 2).map((node) => Number((node as HTMLElement).dataset.clipId)));
    await page.waitForSelector(`[data-testid=clip-view][data-clip-id="${ranked[0]}"]`);
    await page.keyboard.press('ArrowDown');
    await page.waitForSelector(`[data-testid=clip-view][data-clip-id="${ranked[1]}"]`);
    await page.keyboard.press('k');
    await page.waitForSelector(`[data-testid=clip-view][data-clip-id="${ranked[0]}"]`);
    await page.waitForSelector('[data-testid=spectrogram-canvas]', { timeout: 30_000 });
    await page.screenshot({ path: join(screenshotDir, 'errors-ranking.png') });

    // Delete asks first; keeping it keeps it.
    await page.click('[data-testid=tab-experiments]');
    await page.waitForSelector('[data-testid=compare]');
    await rowB.locator('[data-testid=run-delete]').click();
    await page.waitForSelector('[data-testid=confirm-dialog]');
    await page.click('[data-testid=confirm-cancel]');
    await page.waitForSelector('[data-testid=confirm-dialog]', { state: 'detached' });
    expect(await rowIds(page)).toHaveLength(2);
    await rowB.locator('[data-testid=run-delete]').click();
    await page.click('[data-testid=confirm-ok]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=run-row]').length === 1);
    expect(await rowIds(page)).toEqual([runA]);
    await page.waitForSelector('[data-testid=compare]', { state: 'detached' });
    expect(problems.filter((problem) => !problem.includes('favicon'))).toEqual([]);
  });
});
