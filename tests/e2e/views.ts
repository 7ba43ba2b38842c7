import type { Page } from 'playwright-core';

/** The studio's views these tests open, by the fragment the tab bar remembers them by. */
export type ViewTab = 'augment' | 'features' | 'live';

const VIEW_TESTID: Record<ViewTab, string> = { augment: 'augment-view', features: 'features-view', live: 'live-view' };

/** Opens a view: by its fragment (#augment), else by its tab. */
export async function openView(page: Page, url: string, view: ViewTab): Promise<void> {
  await page.goto(`${url}#${view}`);
  const selector = `[data-testid=${VIEW_TESTID[view]}]`;
  try {
    await page.waitForSelector(selector, { timeout: 5_000 });
  } catch {
    await page.click(`[data-testid=tab-${view}]`);
    await page.waitForSelector(selector);
  }
}

/** The most distinct colours on any of the canvases (sampled on a grid); runs inside the page. */
export const distinctColours = (canvases: Element[]): number => {
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
