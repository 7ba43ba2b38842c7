import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { EMOTIONS } from '../../src-shared/model/labels.js';
import { collectProblems, findChromium, launchChromium, ravdessDir, repoRoot, screenshotDir, startServer, tempDbPath, type RunningServer } from './harness.js';

// The clip browser end to end: the real server (browser mode) on a temporary catalog, the built
// renderer in Chromium, two RAVDESS actors imported through the UI.
const actorFolders = ['Actor_01', 'Actor_02'].map((name) => join(ravdessDir, name));
const missingFolder = actorFolders.find((folder) => !existsSync(folder));
const chromiumPath = findChromium();
const skipReason =
  missingFolder !== undefined
    ? `needs the RAVDESS folder ${missingFolder}`
    : chromiumPath === null
      ? 'needs Chromium (/usr/bin/chromium, or set CHROMIUM_PATH)'
      : null;
const title = skipReason === null ? 'clip browser in Chromium' : `clip browser in Chromium (skipped: ${skipReason})`;

/** What the page shows in its rows right now. */
async function visibleRows(page: Page): Promise<{ id: number; label: string; actor: string }[]> {
  return page.$$eval('[data-testid=clip-row]', (rows) =>
    rows.map((row) => {
      const data = (row as HTMLElement).dataset;
      return { id: Number(data.clipId), label: data.label ?? '', actor: data.actor ?? '' };
    }),
  );
}

/** Waits until the list says `count` clips and shows rows for them (or as many as fit). */
async function waitForCount(page: Page, count: number): Promise<void> {
  await page.waitForFunction(
    (expected) => {
      const text = document.querySelector('[data-testid=clip-count] strong')?.textContent ?? '';
      const rows = document.querySelectorAll('[data-testid=clip-row]').length;
      const loading = document.querySelectorAll('[data-testid=clip-row-loading]').length;
      return Number(text.replace(/,/g, '')) === expected && loading === 0 && (expected === 0 || rows > 0);
    },
    count,
    { timeout: 15_000 },
  );
}

async function labelShown(page: Page): Promise<string | null> {
  return page.getAttribute('[data-testid=clip-label]', 'data-label');
}

/** The plain-text line of the newest history row ("undid sad → angry"), and its action. */
async function historyTopLine(page: Page): Promise<{ action: string; text: string } | null> {
  return page.$eval('[data-testid=label-history]', (list) => {
    const first = list.querySelector<HTMLElement>('[data-testid=history-item]');
    return first === null ? null : { action: first.dataset.action ?? '', text: first.title };
  });
}

async function historyTop(page: Page): Promise<{ newLabel: string; oldLabel: string; undone: string } | null> {
  return page.$eval('[data-testid=label-history]', (list) => {
    const first = list.querySelector<HTMLElement>('[data-testid=history-item]');
    return first === null ? null : { newLabel: first.dataset.newLabel ?? '', oldLabel: first.dataset.oldLabel ?? '', undone: first.dataset.undone ?? '' };
  });
}

/** The most distinct colours on any of the canvases (sampled on a grid); runs inside the page. */
const distinctColours = (canvases: Element[]): number => {
  let best = 0;
  for (const canvas of canvases as HTMLCanvasElement[]) {
    const context = canvas.getContext('2d');
    if (context === null || canvas.width === 0 || canvas.height === 0) continue;
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    const colours = new Set<number>();
    const step = Math.max(1, Math.floor((canvas.width * canvas.height) / 20_000));
    for (let pixel = 0; pixel < canvas.width * canvas.height; pixel += step) {
      const at = pixel * 4;
      colours.add(((data[at] << 24) | (data[at + 1] << 16) | (data[at + 2] << 8) | data[at + 3]) >>> 0);
    }
    best = Math.max(best, colours.size);
  }
  return best;
};

describe.skipIf(skipReason !== null)(title, () => {
  let server: RunningServer | null = null;
  let browser: Browser | null = null;

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('imports, filters, plays, relabels with undo/redo, and keeps the label across a restart', async () => {
    expect(existsSync(join(repoRoot, 'out', 'main', 'cli.js')), 'the studio is not built: run npm run build').toBe(true);
    mkdirSync(screenshotDir, { recursive: true });
    const dbPath = tempDbPath();
    server = await startServer(dbPath);
    browser = await launchChromium(chromiumPath ?? '');
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const problems = collectProblems(page);
    await page.goto(server.url);

    // Empty catalog: the empty state says what to do and leads to the import panel.
    await page.waitForSelector('[data-testid=empty-catalog]');
    await page.click('[data-testid=empty-import]');

    for (const [i, folder] of actorFolders.entries()) {
      await page.fill('[data-testid=import-folder]', folder);
      await page.click('[data-testid=import-start]');
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid=import-summary]').length === n, i + 1, { timeout: 120_000 });
      expect(await page.getAttribute('[data-testid=import-summary] >> nth=0', 'data-imported')).toBe('60');
      expect(await page.getAttribute('[data-testid=import-summary] >> nth=0', 'data-failed')).toBe('0');
    }
    expect(await page.$$eval('[data-testid=import-summary]', (cards) => cards.reduce((sum, card) => sum + Number((card as HTMLElement).dataset.imported), 0))).toBe(120);

    await page.click('[data-testid=tab-browse]');
    await waitForCount(page, 120);
    // The first clip opens by itself; wait for its spectrogram so the screenshot shows a full screen.
    await page.waitForSelector('[data-testid=spectrogram-canvas]', { timeout: 30_000 });
    await page.screenshot({ path: join(screenshotDir, 'browser.png') });

    // Label filter: the chip's count is what the list then shows, and every row has that label.
    const angryCount = Number((await page.textContent('[data-testid=label-chip][data-label=angry] .n'))?.replace(/,/g, ''));
    expect(angryCount).toBeGreaterThan(0);
    await page.click('[data-testid=label-chip][data-label=angry]');
    await waitForCount(page, angryCount);
    const angryRows = await visibleRows(page);
    expect(angryRows.length).toBe(Math.min(angryCount, angryRows.length));
    expect(angryRows.every((row) => row.label === 'angry')).toBe(true);

    // Actor filter on top: only actor 2's angry clips.
    await page.click('[data-testid=actor-chip][data-actor="2"]');
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll<HTMLElement>('[data-testid=clip-row]')];
      return rows.length > 0 && rows.every((row) => row.dataset.actor === '2');
    });
    const actorRows = await visibleRows(page);
    expect(actorRows.every((row) => row.label === 'angry' && row.actor === '2')).toBe(true);
    expect(actorRows.length).toBe(angryCount / 2);

    // Actor filter alone.
    await page.click('[data-testid=label-chip-all]');
    await waitForCount(page, 60);
    expect((await visibleRows(page)).every((row) => row.actor === '2')).toBe(true);

    await page.click('[data-testid=filter-clear]');
    await waitForCount(page, 120);

    // Open a clip and check that both the waveform and the spectrogram are painted.
    const row = page.locator('[data-testid=clip-row]').nth(2);
    const clipId = Number(await row.getAttribute('data-clip-id'));
    await row.click();
    await page.waitForSelector(`[data-testid=clip-view][data-clip-id="${clipId}"]`);

    // Keyboard-first: ↓ and ↑ move the selection (and the open clip) through the list.
    const nextId = await page.locator('[data-testid=clip-row]').nth(3).getAttribute('data-clip-id');
    await page.keyboard.press('ArrowDown');
    await page.waitForSelector(`[data-testid=clip-row][aria-selected=true][data-clip-id="${nextId}"]`);
    await page.waitForSelector(`[data-testid=clip-view][data-clip-id="${nextId}"]`);
    await page.keyboard.press('ArrowUp');
    await page.waitForSelector(`[data-testid=clip-view][data-clip-id="${clipId}"]`);

    // The help overlay lists the shortcuts; Esc closes it.
    await page.keyboard.press('?');
    await page.waitForSelector('[data-testid=help-overlay]');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid=help-overlay]', { state: 'detached' });
    await page.waitForSelector('[data-testid=spectrogram-canvas]', { timeout: 30_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid=play-toggle]:not([disabled])') !== null, undefined, { timeout: 30_000 });
    const spectrogramColours = await page.$$eval('[data-testid=spectrogram-canvas]', distinctColours);
    expect(spectrogramColours).toBeGreaterThan(50);
    // wavesurfer draws into canvases inside its (open) shadow root, which CSS selectors here pierce.
    const waveformColours = await page.$$eval('[data-testid=waveform] canvas', distinctColours);
    expect(waveformColours).toBeGreaterThan(1);

    // Space plays: the playback clock advances.
    await page.keyboard.press('Space');
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('[data-testid=playback-time]')?.dataset.time) > 0.2, undefined, { timeout: 15_000 });
    await page.keyboard.press('Space');
    await page.waitForSelector('[data-testid=playback-time][data-playing=false]');

    // Relabel with a key, undo (Ctrl+Z), redo (Ctrl+Shift+Z), undo again, redo (Ctrl+Y).
    const original = await labelShown(page);
    expect(original).not.toBeNull();
    const keyIndex = original === 'surprised' ? 0 : EMOTIONS.length - 1;
    const target = EMOTIONS[keyIndex];
    const expectLabel = async (label: string | null) => {
      await page.waitForSelector(`[data-testid=clip-label][data-label="${label}"]`);
    };
    await page.keyboard.press(String(keyIndex + 1));
    await expectLabel(target);
    await page.waitForFunction((label) => document.querySelector<HTMLElement>('[data-testid=history-item]')?.dataset.newLabel === label, target);
    expect(await historyTop(page)).toEqual({ newLabel: target, oldLabel: original, undone: 'false' });
    await page.waitForSelector(`[data-testid=clip-row][data-clip-id="${clipId}"][data-label="${target}"]`);

    expect(await historyTopLine(page)).toEqual({ action: 'set', text: `relabelled ${original} → ${target}` });

    // The undo and redo show as rows of their own that name the change they undid or redid.
    await page.keyboard.press('Control+z');
    await expectLabel(original);
    await page.waitForSelector('[data-testid=history-item][data-undone=true]');
    await page.waitForSelector('[data-testid=history-item][data-action=undo] >> nth=0');
    expect(await historyTopLine(page)).toEqual({ action: 'undo', text: `undid ${original} → ${target}` });
    expect(await page.textContent('[data-testid=history-item] >> nth=0 >> [data-testid=history-verb]')).toBe('undid');
    await page.screenshot({ path: join(screenshotDir, 'clip-view-undo.png') });
    await page.keyboard.press('Control+Shift+Z');
    await expectLabel(target);
    await page.waitForFunction(() => document.querySelector('[data-testid=history-item][data-undone=true]') === null);
    await page.waitForSelector('[data-testid=history-item][data-action=redo]');
    expect(await historyTopLine(page)).toEqual({ action: 'redo', text: `redid ${original} → ${target}` });
    await page.keyboard.press('Control+z');
    await expectLabel(original);
    await page.keyboard.press('Control+y');
    await expectLabel(target);
    await page.screenshot({ path: join(screenshotDir, 'clip-view.png') });
    expect(problems.filter((problem) => !problem.includes('favicon'))).toEqual([]);
    await page.close();

    // A restart on the same catalog keeps the label and its history.
    await server.stop();
    server = await startServer(dbPath);
    const again = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await again.goto(server.url);
    await waitForCount(again, 120);
    const sameRow = again.locator(`[data-testid=clip-row][data-clip-id="${clipId}"]`);
    expect(await sameRow.getAttribute('data-label')).toBe(target);
    await sameRow.click();
    await again.waitForSelector(`[data-testid=clip-view][data-clip-id="${clipId}"]`);
    expect(await labelShown(again)).toBe(target);
    await again.waitForSelector(`[data-testid=label-history][data-clip-id="${clipId}"]`);
    const history = await again.$$eval('[data-testid=history-item]', (items) =>
      items.map((item) => {
        const data = (item as HTMLElement).dataset;
        return { oldLabel: data.oldLabel, newLabel: data.newLabel, undone: data.undone };
      }),
    );
    expect(history[0]).toEqual({ oldLabel: original, newLabel: target, undone: 'false' });
    expect(history.at(-1)).toEqual({ oldLabel: '', newLabel: original, undone: 'false' });
    // relabel, undo, redo, undo, redo, newest first, after the import row.
    const lines = await again.$$eval('[data-testid=history-item]', (items) => items.map((item) => (item as HTMLElement).title));
    expect(lines).toEqual([
      `redid ${original} → ${target}`,
      `undid ${original} → ${target}`,
      `redid ${original} → ${target}`,
      `undid ${original} → ${target}`,
      `relabelled ${original} → ${target}`,
      `imported ${original}`,
    ]);

    // A folder with byte-identical files under two names (two labels) and an unreadable one: the
    // summary counts the duplicate and lists both paths, collapsed until asked, beside the failure.
    const corpus = mkdtempSync(join(tmpdir(), 'es-e2e-dups-'));
    const actorDir = join(corpus, 'Actor_01');
    mkdirSync(actorDir);
    copyFileSync(join(actorFolders[0], '03-01-01-01-01-01-01.wav'), join(actorDir, '03-01-01-01-01-01-01.wav'));
    copyFileSync(join(actorFolders[0], '03-01-01-01-01-01-01.wav'), join(actorDir, '03-01-05-01-01-01-01.wav'));
    writeFileSync(join(actorDir, '03-01-02-01-01-01-01.wav'), 'RIFF, but not really');
    await again.click('[data-testid=tab-import]');
    await again.fill('[data-testid=import-folder]', corpus);
    await again.click('[data-testid=import-start]');
    await again.waitForSelector('[data-testid=import-summary]', { timeout: 60_000 });
    const card = again.locator('[data-testid=import-summary]').first();
    expect(await card.getAttribute('data-imported')).toBe('2');
    expect(await card.getAttribute('data-failed')).toBe('1');
    expect(await card.getAttribute('data-duplicates')).toBe('1');
    expect(await card.locator('[data-testid=import-duplicates]').textContent()).toBe('1');
    const duplicate = card.locator('[data-testid=import-duplicate]');
    expect(await duplicate.isVisible()).toBe(false);
    await card.locator('[data-testid=import-duplicate-list] summary').click();
    await duplicate.waitFor({ state: 'visible' });
    const pair = [await duplicate.getAttribute('data-path'), await duplicate.getAttribute('data-same-as')].sort();
    expect(pair).toEqual([join(actorDir, '03-01-01-01-01-01-01.wav'), join(actorDir, '03-01-05-01-01-01-01.wav')]);
    const shown = await duplicate.textContent();
    expect(shown).toContain('Actor_01/03-01-01-01-01-01-01.wav');
    expect(shown).toContain('Actor_01/03-01-05-01-01-01-01.wav');
    expect(await card.locator('[data-testid=import-failures] li').count()).toBe(1);
    expect(await card.locator('[data-testid=import-failures] li').textContent()).toContain('03-01-02-01-01-01-01.wav');
    await again.screenshot({ path: join(screenshotDir, 'import-summary.png') });
    await again.close();
    rmSync(corpus, { recursive: true, force: true });
  });
});
