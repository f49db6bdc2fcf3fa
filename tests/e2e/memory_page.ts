/**
 * The Cost panel's GPU memory in the page against the engine's planner run here in Node: the page's run
 * configuration is read back through its share link (exactly what the page validated), so the expected
 * numbers are computed, never written down.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { configFromHf, PRESETS, type EncoderConfig } from '../../src/engine/model/config';
import { planStepMemory, type StepMemoryPlan } from '../../src/engine/plan/memory';
import { parseRunConfig } from '../../src/engine/train/run_config';
import { decodeShareHash } from '../../src/app/lib/share';

export const DEMO_MODEL: EncoderConfig = configFromHf(JSON.parse(readFileSync('public/demo/model/config.json', 'utf8')));
export const CODEBERT: EncoderConfig = PRESETS['microsoft/codebert-base'];

/** The plan of the page's current configuration for `model`, with the first evaluation of `evalExamples` pairs. */
export async function planOfPage(page: Page, model: EncoderConfig, evalExamples: number): Promise<StepMemoryPlan> {
  await page.getByTestId('share').click();
  const link = await page.getByTestId('share-link').inputValue();
  const decoded = decodeShareHash(new URL(link).hash);
  if (!decoded?.ok) throw new Error(`the page's share link does not decode: ${link}`);
  const config = parseRunConfig(decoded.json, model);
  return planStepMemory(model, config.peft, config.recipe, { evalExamples });
}

/** Waits for the page's plan (the total's exact bytes are in data-bytes) to be `bytes`. */
export async function waitForPlannedBytes(page: Page, bytes: number): Promise<void> {
  await page.waitForFunction((b) => document.querySelector('[data-testid="memory-estimate"]')?.getAttribute('data-bytes') === String(b), bytes, { timeout: 30_000, polling: 100 });
}

/** Starts recording every text the total shows (to see "computing…" pass by, however briefly). */
export async function recordMemoryTexts(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const w = window as unknown as { __memoryTexts: string[] };
    w.__memoryTexts = [];
    const cost = document.querySelector('[data-testid="cost"]');
    if (!cost) throw new Error('no Cost panel');
    new MutationObserver(() => {
      const text = document.querySelector('[data-testid="memory-estimate"]')?.textContent ?? '';
      if (w.__memoryTexts.at(-1) !== text) w.__memoryTexts.push(text);
    }).observe(cost, { subtree: true, childList: true, characterData: true });
  });
  return () => page.evaluate(() => (window as unknown as { __memoryTexts: string[] }).__memoryTexts);
}
