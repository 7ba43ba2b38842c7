import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunDetail, RunSplitInfo, SavedRecipe } from '../../src-shared/contract/index.js';
import type { AugmentRecipe } from '../../src-shared/model/augment-recipe.js';
import { collectProblems, findChromium, launchChromium, ravdessDir, runCli, screenshotDir, smallCorpus, startServer, tempDbPath, trainerBuilt, type RunningServer } from './harness.js';

// A recipe saved for training (through the contract, as the Augment view saves it) offered by the
// Train form, sent as the run's augmentation, and counted in its split: the training clips once
// per copy plus the originals, validation and test clips once each. The choice survives a reload;
// once the recipe is deleted the form falls back to None and says so.
const ACTORS = ['Actor_01', 'Actor_02', 'Actor_03', 'Actor_04'];
const PER_ACTOR = 8;
const RECIPE: AugmentRecipe = {
  name: 'pitch and stretch',
  copies: [
    { noiseAmount: 0.03, stretchRate: 1, shiftSec: 0, pitchSemitones: 2, denoise: false },
    { noiseAmount: 0, stretchRate: 0.9, shiftSec: 0, pitchSemitones: 0, denoise: false },
  ],
};
const STORAGE_KEY = 'emotion-studio/train-form/v1';
const chromiumPath = findChromium();
const built = trainerBuilt(true);
const skipReason = !existsSync(ravdessDir)
  ? `needs the RAVDESS folder ${ravdessDir}`
  : chromiumPath === null
    ? 'needs Chromium (/usr/bin/chromium, or set CHROMIUM_PATH)'
    : !built
      ? 'needs the build (npx electron-vite build)'
      : null;
const title = skipReason === null ? 'training with a saved augmentation recipe from the GUI' : `training with a saved augmentation recipe from the GUI (skipped: ${skipReason})`;

type Reply<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string } };

/** Calls the contract from the page, with the session the UI itself holds (its cookie). */
async function invoke<T>(page: Page, method: string, args: unknown): Promise<T> {
  const reply = await page.evaluate(
    async ([name, body]) => {
      const response = await fetch(`/api/invoke/${name}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      return (await response.json()) as unknown;
    },
    [method, args] as const,
  );
  const result = reply as Reply<T>;
  if (!result.ok) throw new Error(`${method}: ${result.error.code} ${result.error.message}`);
  return result.value;
}

async function openTab(page: Page, tab: 'train' | 'augment' | 'experiments', ready: string): Promise<void> {
  await page.click(`[data-testid=tab-${tab}]`);
  await page.waitForSelector(`[data-testid=${ready}]`);
}

describe.skipIf(skipReason !== null)(title, () => {
  let server: RunningServer | null = null;
  let browser: Browser | null = null;

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('offers saved recipes, trains with the chosen one, counts its copies in the training rows only, and remembers the choice', async () => {
    mkdirSync(screenshotDir, { recursive: true });
    const dbPath = tempDbPath();
    const imported = await runCli(['import', smallCorpus('es-recipe-corpus', ACTORS, (files) => files.slice(0, PER_ACTOR)), '--db', dbPath, '--json']);
    expect(imported.code, imported.stderr).toBe(0);
    server = await startServer(dbPath);
    browser = await launchChromium(chromiumPath ?? '');
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const problems = collectProblems(page);
    await page.goto(server.url);
    await page.waitForSelector('[data-testid=clip-row]');

    // No recipe yet: the choice is there but cannot be taken.
    await openTab(page, 'train', 'train-form');
    await page.waitForSelector('[data-testid=form-preset] option[value=tiny-cnn1d]', { state: 'attached' });
    expect(await page.isDisabled('[data-testid=form-augmentation] [data-value=recipe]')).toBe(true);

    // Saved while the Train view is closed, listed when it opens again.
    await openTab(page, 'augment', 'augment-view');
    const saved = await invoke<SavedRecipe>(page, 'explore.saveRecipe', { name: RECIPE.name, copies: RECIPE.copies });
    expect(saved.recipe).toEqual(RECIPE);
    await invoke<SavedRecipe>(page, 'explore.saveRecipe', { name: 'noise only', copies: [{ noiseAmount: 0.05 }] });
    await openTab(page, 'train', 'train-form');
    await page.waitForSelector('[data-testid=form-augmentation] [data-value=recipe]:not([disabled])');

    await page.selectOption('[data-testid=form-preset]', 'tiny-cnn1d');
    await page.waitForSelector('[data-testid=model-summary][data-preset=tiny-cnn1d]');
    await page.click('[data-testid=form-augmentation] [data-value=recipe]');
    const options = await page.$$eval('[data-testid=form-recipe] option', (elements) => elements.map((option) => option.textContent ?? ''));
    expect(options).toEqual(['noise only — noise 0.05', 'pitch and stretch — pitch +2 st · noise 0.03 | stretch ×0.9']);
    await page.selectOption('[data-testid=form-recipe]', RECIPE.name);
    expect(await page.textContent('[data-testid=form-recipe-summary]')).toBe('2 extra copies per training clip: pitch +2 st · noise 0.03 | stretch ×0.9');
    expect(await page.getAttribute('[data-testid=form-augmentation] [data-value=recipe]', 'aria-checked')).toBe('true');

    // The choice is remembered like the other fields.
    await page.waitForFunction(([key, name]) => (localStorage.getItem(key) ?? '').includes(name), [STORAGE_KEY, RECIPE.name] as const);
    await page.reload();
    await page.waitForSelector('[data-testid=form-recipe]');
    expect(await page.inputValue('[data-testid=form-recipe]')).toBe(RECIPE.name);
    expect(await page.inputValue('[data-testid=form-test-actors]')).toBe('4');
    expect(await page.inputValue('[data-testid=form-val-actors]')).toBe('3');

    await page.fill('[data-testid=form-epochs]', '2');
    await page.fill('[data-testid=form-name]', 'recipe run');
    await page.waitForSelector('[data-testid=form-problems]', { state: 'detached' });
    await page.click('[data-testid=train-start]');
    await page.waitForSelector('[data-testid=run-monitor][data-status=finished]', { timeout: 240_000 });
    const runId = Number(await page.getAttribute('[data-testid=run-monitor]', 'data-run-id'));
    expect(await page.textContent('[data-testid=run-monitor] [data-testid=run-augmentation]')).toBe(`recipe "${RECIPE.name}"`);
    expect(await page.textContent('[data-testid=run-split]')).toContain(`(${(2 * PER_ACTOR * 3).toLocaleString('en-US')} rows)`);

    // The stored run: the recipe as its augmentation; only the training clips gain copies.
    const detail = await invoke<RunDetail>(page, 'runs.get', { runId });
    expect(detail.config.augmentation).toEqual(RECIPE);
    const catalog = new Database(dbPath, { readonly: true });
    const row = catalog.prepare('SELECT config_json, split_json FROM runs WHERE id = ?').get(runId) as { config_json: string; split_json: string };
    catalog.close();
    expect((JSON.parse(row.config_json) as { augmentation: unknown }).augmentation).toEqual(RECIPE);
    const split = JSON.parse(row.split_json) as RunSplitInfo;
    expect(split).toEqual(detail.split);
    expect(split.clips).toEqual({ train: 2 * PER_ACTOR, val: PER_ACTOR, test: PER_ACTOR });
    expect(split.rows).toEqual({ train: split.clips.train * (1 + RECIPE.copies.length), val: split.clips.val, test: split.clips.test });

    // The experiments table names the recipe under the preset.
    await openTab(page, 'experiments', 'runs-table');
    expect(await page.textContent(`[data-testid=run-row][data-run-id="${runId}"] [data-testid=run-augmentation]`)).toBe(`recipe "${RECIPE.name}"`);

    // Deleted since: the next session falls back to None and says so.
    const deleted = await invoke<{ deleted: boolean }>(page, 'explore.deleteRecipe', { id: saved.id });
    expect(deleted.deleted).toBe(true);
    await openTab(page, 'train', 'train-form');
    await page.waitForSelector('[data-testid=form-recipe-notice]');
    expect(await page.textContent('[data-testid=form-recipe-notice]')).toContain(`“${RECIPE.name}” no longer exists`);
    expect(await page.getAttribute('[data-testid=form-augmentation] [data-value=none]', 'aria-checked')).toBe('true');
    expect(await page.locator('[data-testid=form-recipe]').count()).toBe(0);
    await page.screenshot({ path: join(screenshotDir, 'train-recipe-gone.png') });
    // The other recipe is still offered.
    expect(await page.isDisabled('[data-testid=form-augmentation] [data-value=recipe]')).toBe(false);
    expect(problems.filter((problem) => !problem.includes('favicon'))).toEqual([]);
  });
});
