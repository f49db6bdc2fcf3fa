/**
 * The workspace at 1280×800 (issue 14): while a run trains, the training controls and the loss curve are in view
 * without scrolling, nothing scrolls sideways, and the setup panel folds away (and back) from the keyboard.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openLabPage, type Lab } from './browser';
import { loadDemoAndData, setQuickRecipe, waitForRuns } from './lab_page';

describe('the workspace layout', () => {
  let lab: Lab;
  let page: Page;
  let errors: string[] = [];
  beforeAll(async () => {
    ({ lab, page, errors } = await openLabPage());
  }, 120_000);
  afterAll(async () => {
    await lab?.close();
  });

  it('keeps the curves in view while a run trains, with no sideways scrolling; the setup folds away', async () => {
    await page.goto(lab.url);
    await loadDemoAndData(page);
    await setQuickRecipe(page, 30, 10);
    await page.getByTestId('start').click();
    await page.waitForFunction(() => /Step [1-9]/.test(document.querySelector('[data-testid="live-readout"]')?.textContent ?? ''), null, { timeout: 120_000 });
    await page.evaluate(() => window.scrollTo(0, 0));
    const box = async (id: string) => page.getByTestId(id).boundingBox();
    const loss = await box('chart-loss');
    expect(loss, 'the loss chart is laid out').not.toBeNull();
    await page.screenshot({ path: 'test-results/workspace-training.png' });
    expect(loss!.y + loss!.height, 'the loss chart ends inside the 800-pixel window').toBeLessThanOrEqual(800);
    expect((await box('live-readout'))!.y).toBeLessThan(800);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
    await page.screenshot({ path: 'test-results/workspace-training.png' });

    await page.getByTestId('toggle-setup').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('setup-panel').isVisible()).toBe(false);
    expect(await page.getByTestId('toggle-setup').getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('setup-panel').isVisible()).toBe(true);
    await waitForRuns(page, 'done', 1, 300_000);
    expect(errors).toEqual([]);
  }, 400_000);
});
