import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { collectProblems, findChromium, launchChromium, ravdessDir, runCli, screenshotDir, smallCorpus, startServer, tempDbPath, trainerBuilt, type RunningServer } from './harness.js';

// The Train view end to end: the real server (browser mode) on a catalog of four actors, a run
// started from the form, its curves growing epoch by epoch, a reload mid-run, cancel and resume.
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
const title = skipReason === null ? 'training from the GUI in Chromium' : `training from the GUI in Chromium (skipped: ${skipReason})`;

/** Records every long task (over 50 ms) with its start, from before the app's first script. */
const LONG_TASK_PROBE = () => {
  const tasks: { start: number; duration: number }[] = [];
  (window as unknown as { __longTasks: typeof tasks }).__longTasks = tasks;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) tasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: 'longtask', buffered: true });
};

async function longTasksSince(page: Page, since: number): Promise<{ start: number; duration: number }[]> {
  return page.evaluate((from) => (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks.filter((task) => task.start >= from), since);
}

async function chartPoints(page: Page, testid: string): Promise<number> {
  return Number(await page.getAttribute(`[data-testid=${testid}]`, 'data-points'));
}

/** Waits until a chart holds at least `atLeast` points; polls on a timer, not every frame, so the wait itself does not load the page. */
async function waitForPoints(page: Page, testid: string, atLeast: number, timeout = 60_000): Promise<number> {
  await page.waitForFunction(
    ([id, n]) => Number(document.querySelector(`[data-testid=${id}]`)?.getAttribute('data-points')) >= n,
    [testid, atLeast] as const,
    { timeout, polling: 100 },
  );
  return chartPoints(page, testid);
}

async function waitForStatus(page: Page, status: string, timeout = 120_000): Promise<void> {
  await page.waitForSelector(`[data-testid=run-monitor][data-status=${status}]`, { timeout });
}

describe.skipIf(skipReason !== null)(title, () => {
  let server: RunningServer | null = null;
  let browser: Browser | null = null;

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('starts a run from the form, grows its curves, survives a reload, cancels and resumes', async () => {
    mkdirSync(screenshotDir, { recursive: true });
    const dbPath = tempDbPath();
    const imported = await runCli(['import', smallCorpus('es-gui-corpus', ACTORS, (files) => files.slice(0, PER_ACTOR)), '--db', dbPath, '--json']);
    expect(imported.code, imported.stderr).toBe(0);
    server = await startServer(dbPath);
    browser = await launchChromium(chromiumPath ?? '');
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const problems = collectProblems(page);
    await page.addInitScript(LONG_TASK_PROBE);
    await page.goto(server.url);
    await page.waitForSelector('[data-testid=clip-row]');

    // Before any run, each screen says what to do next. Alt+digit picks a tab.
    await page.keyboard.press('Alt+5');
    await page.waitForSelector('[data-testid=experiments-empty]');
    await page.keyboard.press('Alt+6');
    await page.waitForSelector('[data-testid=errors-empty]');
    await page.keyboard.press('Alt+4');
    await page.waitForSelector('[data-testid=train-form]');
    await page.waitForSelector('[data-testid=train-no-runs]');
    expect(await page.getAttribute('[data-testid=tab-train]', 'aria-current')).toBe('page');

    // A run that failed (here started from the command line with an actor on two sides) says why in plain words.
    const refused = await runCli(['train', '--db', dbPath, '--preset', 'tiny-cnn1d', '--test-actors', '3', '--val-actors', '3,2', '--json']);
    expect(refused.code).toBe(1);
    const failedId = (JSON.parse(refused.stdout) as { runId: number }).runId;
    await page.reload();
    await page.waitForSelector(`[data-testid=run-monitor][data-run-id="${failedId}"][data-status=failed]`);
    expect(await page.textContent('[data-testid=run-error]')).toContain('This run failed: split: actor 3 is in both the validation and the test split');

    // The seed's CNN: its Keras model summary figures.
    await page.waitForSelector('[data-testid=form-preset] option[value=seed-cnn1d]', { state: 'attached' });
    await page.selectOption('[data-testid=form-preset]', 'seed-cnn1d');
    await page.waitForSelector('[data-testid=model-summary][data-preset=seed-cnn1d]');
    expect(await page.textContent('[data-testid=model-total]')).toBe('7,193,736');
    expect(await page.textContent('[data-testid=model-trainable]')).toBe('7,189,384');
    expect(await page.textContent('[data-testid=model-non-trainable]')).toBe('4,352');
    expect(await page.locator('[data-testid=model-layer]').count()).toBe(22);
    expect(await page.locator('[data-testid=model-layer]').first().textContent()).toContain('(None, 2376, 512)');

    // The default preset is an ensemble: its members and patience come with it, and the summary says the whole size.
    await page.selectOption('[data-testid=form-preset]', 'mel-tcnn-abs');
    await page.waitForSelector('[data-testid=model-summary][data-preset=mel-tcnn-abs]');
    expect(Number(await page.inputValue('[data-testid=form-members]'))).toBeGreaterThan(1);
    expect(await page.inputValue('[data-testid=form-es-patience]')).toBe('12');
    expect(await page.inputValue('[data-testid=form-member-views]')).toBe('alternate');
    expect(await page.textContent('[data-testid=model-ensemble]')).toMatch(/An ensemble of \d+ trains/);

    // The tiny model; the split follows the catalog's four actors, and the guard speaks before a run is queued.
    await page.selectOption('[data-testid=form-preset]', 'tiny-cnn1d');
    await page.waitForSelector('[data-testid=model-summary][data-preset=tiny-cnn1d]');
    expect(await page.inputValue('[data-testid=form-members]')).toBe('1');
    expect(await page.inputValue('[data-testid=form-member-views]')).toBe('same');
    expect(await page.locator('[data-testid=model-ensemble]').count()).toBe(0);
    expect(await page.inputValue('[data-testid=form-test-actors]')).toBe('4');
    expect(await page.inputValue('[data-testid=form-val-actors]')).toBe('3');
    expect(await page.textContent('[data-testid=split-train]')).toBe('1, 2');
    await page.fill('[data-testid=form-val-actors]', '3, 4');
    await page.waitForSelector('[data-testid=form-problems]');
    expect(await page.textContent('[data-testid=form-problems]')).toContain('actor 4 is in both the validation and the test split');
    expect(await page.isDisabled('[data-testid=train-start]')).toBe(true);
    await page.fill('[data-testid=form-val-actors]', '3');
    await page.fill('[data-testid=form-learning-rate]', '0');
    expect(await page.textContent('[data-testid=form-problems]')).toContain('Learning rate: more than 0');
    await page.fill('[data-testid=form-learning-rate]', '0.003');
    await page.waitForSelector('[data-testid=form-problems]', { state: 'detached' });

    // Enough epochs to watch, no early stop.
    await page.fill('[data-testid=form-epochs]', '40');
    await page.uncheck('[data-testid=form-early-stopping]');
    await page.fill('[data-testid=form-name]', 'gui run');
    const startedAt = await page.evaluate(() => performance.now());
    await page.click('[data-testid=train-start]');

    await page.waitForSelector(`[data-testid=run-monitor]:not([data-run-id="${failedId}"])`);
    const runId = Number(await page.getAttribute('[data-testid=run-monitor]', 'data-run-id'));
    expect(runId).toBeGreaterThan(failedId);
    await page.waitForSelector('[data-testid=training-indicator]');

    // The backend is named once the training process reports it; 'cpu' is flagged.
    await page.waitForSelector('[data-testid=run-backend]', { timeout: 120_000 });
    const backend = await page.getAttribute('[data-testid=run-backend]', 'data-backend');
    expect(['tensorflow', 'wasm', 'cpu']).toContain(backend);
    expect(await page.locator('[data-testid=backend-warning]').count()).toBe(backend === 'cpu' ? 1 : 0);

    // The curves gain a point per finished epoch, in all three charts, with progress, ETA and speed beside them.
    const early = await waitForPoints(page, 'chart-loss', 2, 120_000);
    const later = await waitForPoints(page, 'chart-loss', early + 1);
    expect(later).toBeGreaterThan(early);
    expect(await page.getAttribute('[data-testid=chart-loss]', 'data-series')).toBe('2');
    expect(await chartPoints(page, 'chart-accuracy')).toBeGreaterThanOrEqual(later);
    expect(await chartPoints(page, 'chart-lr')).toBeGreaterThanOrEqual(later);
    await page.waitForSelector('[data-testid=run-phase][data-phase=training]');
    await page.waitForSelector('[data-testid=run-speed]');
    await page.waitForSelector('[data-testid=run-eta]');
    expect(Number(await page.getAttribute('[data-testid=run-progress]', 'data-fraction'))).toBeGreaterThan(0);
    await waitForPoints(page, 'chart-batch-loss', 1);

    // The page stayed responsive while it trained: no task over 100 ms since Start.
    const tasks = await longTasksSince(page, startedAt);
    // (The screenshot shows the form from its top, the model summary, beside the live curves.)
    await page.$eval('[data-testid=train-form]', (form) => form.parentElement?.scrollTo(0, 0));
    await page.screenshot({ path: join(screenshotDir, 'training.png') });
    expect(tasks.filter((task) => task.duration > 100), JSON.stringify(tasks)).toEqual([]);

    // A reload mid-run shows the run as it is: the Train tab, running, with its epochs so far.
    const beforeReload = await chartPoints(page, 'chart-loss');
    await page.reload();
    await page.waitForSelector(`[data-testid=run-monitor][data-run-id="${runId}"]`);
    await waitForStatus(page, 'running');
    await waitForPoints(page, 'chart-loss', beforeReload);
    await page.waitForSelector(`[data-testid=run-backend][data-backend=${backend}]`);
    const reloadedAt = await page.evaluate(() => performance.now());
    const afterReload = await chartPoints(page, 'chart-loss');
    await waitForPoints(page, 'chart-loss', afterReload + 1);
    expect((await longTasksSince(page, reloadedAt)).filter((task) => task.duration > 100)).toEqual([]);

    // Cancel: the run stops, keeps its epochs and offers Resume.
    await page.click('[data-testid=run-cancel]');
    await waitForStatus(page, 'cancelled', 30_000);
    const cancelledEpochs = await chartPoints(page, 'chart-loss');
    expect(cancelledEpochs).toBeGreaterThan(0);
    expect(cancelledEpochs).toBeLessThan(40);
    expect(await page.locator('[data-testid=training-indicator]').count()).toBe(0);

    // Resume continues from the checkpoint and finishes all 40 epochs.
    await page.click('[data-testid=run-resume]');
    await page.waitForSelector('[data-testid=run-monitor][data-status=running], [data-testid=run-monitor][data-status=queued]');
    await waitForStatus(page, 'finished', 150_000);
    await page.waitForSelector('[data-testid=run-results]');
    expect(await waitForPoints(page, 'chart-loss', 40)).toBe(40);
    expect(await page.textContent('[data-testid=result-accuracy]')).toMatch(/%$/);
    await page.screenshot({ path: join(screenshotDir, 'training-finished.png') });
    expect(problems.filter((problem) => !problem.includes('favicon'))).toEqual([]);

    // The help overlay lists the view shortcuts.
    await page.keyboard.press('?');
    await page.waitForSelector('[data-testid=help-overlay]');
    expect(await page.textContent('[data-testid=help-overlay]')).toContain('Experiments');
    await page.keyboard.press('Escape');

    // "g" then "c" goes back to the clip browser, unchanged.
    await page.keyboard.press('g');
    await page.keyboard.press('c');
    await page.waitForSelector('[data-testid=clip-row]');
  });
});
