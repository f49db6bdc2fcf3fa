/**
 * `npm run bench:ui` — how much of the page's main thread the dashboard uses while a run trains (the Worker does
 * the GPU work; the page only draws curves and the table). A production build in Chromium at 1280×800, the
 * two-click demo (demo model, real-code shard, quick recipe), measured with Chrome's own counters (CDP
 * Performance.getMetrics: task, script, layout and style time), long tasks (> 50 ms) and frame intervals, first
 * on the idle page, then while training. It prints a table and writes bench-results/ui_main_thread.json; it
 * asserts nothing about speed (BENCHMARKS.md records the numbers).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { it } from 'vitest';
import type { Page } from 'playwright-core';
import { openLabPage } from '../tests/e2e/browser';
import { longTasks, observeLongTasks, waitForRuns } from '../tests/e2e/lab_page';

const STEPS = Number(process.env.BENCH_UI_STEPS ?? 60);
const IDLE_MS = 5_000;

type Metrics = Record<string, number>;

type Cdp = Awaited<ReturnType<ReturnType<Page['context']>['newCDPSession']>>;

/** Chrome's cumulative counters (seconds of task, script, layout and style work) since Performance.enable. */
async function metrics(cdp: Cdp): Promise<Metrics> {
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(list.map((m) => [m.name, m.value]));
}

/** Frame intervals from a requestAnimationFrame loop (ms), recorded from now on. */
async function recordFrames(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number[] };
    w.__frames = [];
    let last = performance.now();
    const loop = (now: number): void => {
      w.__frames.push(now - last);
      last = now;
      requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  });
}

const frames = (page: Page): Promise<number[]> => page.evaluate(() => (window as unknown as { __frames: number[] }).__frames.splice(0));

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))]! : NaN;
}

interface Window {
  readonly wall_s: number;
  readonly task_s: number;
  readonly script_s: number;
  readonly layout_s: number;
  readonly style_s: number;
  readonly busy_fraction: number;
  readonly long_tasks: number;
  readonly longest_task_ms: number;
  readonly frame_p50_ms: number;
  readonly frame_p95_ms: number;
  readonly frame_max_ms: number;
}

async function measure(page: Page, during: () => Promise<void>): Promise<Window> {
  await observeLongTasks(page);
  await recordFrames(page);
  // One session for both readings: enabling the domain again would restart the counters.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const before = await metrics(cdp);
  const start = Date.now();
  await during();
  const wall = (Date.now() - start) / 1000;
  const after = await metrics(cdp);
  await cdp.detach();
  const d = (k: string): number => (after[k] ?? 0) - (before[k] ?? 0);
  const tasks = await longTasks(page);
  const f = await frames(page);
  return {
    wall_s: wall, task_s: d('TaskDuration'), script_s: d('ScriptDuration'), layout_s: d('LayoutDuration'), style_s: d('RecalcStyleDuration'),
    busy_fraction: d('TaskDuration') / wall, long_tasks: tasks.length, longest_task_ms: Math.max(0, ...tasks),
    frame_p50_ms: quantile(f, 0.5), frame_p95_ms: quantile(f, 0.95), frame_max_ms: Math.max(0, ...f),
  };
}

function row(name: string, w: Window): string {
  const ms = (s: number): string => (1000 * s).toFixed(0).padStart(7);
  return `${name.padEnd(10)} ${w.wall_s.toFixed(1).padStart(7)} ${ms(w.task_s)} ${ms(w.script_s)} ${ms(w.layout_s + w.style_s)} ${(100 * w.busy_fraction).toFixed(1).padStart(6)}% ${String(w.long_tasks).padStart(5)} ${w.longest_task_ms.toFixed(0).padStart(6)} ${w.frame_p50_ms.toFixed(1).padStart(6)} ${w.frame_p95_ms.toFixed(1).padStart(6)} ${w.frame_max_ms.toFixed(0).padStart(6)}`;
}

it('measures the main thread of the dashboard while the demo trains', async () => {
  const { lab, page } = await openLabPage();
  try {
    await page.goto(lab.url);
    await page.getByTestId('device-panel').waitFor({ timeout: 60_000 });
    await page.getByTestId('load-demo').click();
    await page.getByTestId('model-summary').waitFor({ timeout: 60_000 });
    await page.getByTestId('recipe-steps').fill(String(STEPS));
    await page.getByTestId('recipe-evalEvery').fill(String(Math.max(1, STEPS / 3)));
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="shard-summary"]').length === 2, null, { timeout: 60_000 });
    const idle = await measure(page, () => page.waitForTimeout(IDLE_MS));
    const training = await measure(page, async () => {
      await page.getByTestId('start').click();
      await waitForRuns(page, 'done', 1, 1_800_000);
    });
    const header = 'window        wall s  task ms script ms layout+style ms  busy  long  max ms  frame p50 p95  max ms';
    console.log([`main thread, production build, ${STEPS} demo steps (Chromium ${lab.browser.version()}, SwiftShader)`, header, row('idle', idle), row('training', training)].join('\n'));
    mkdirSync('bench-results', { recursive: true });
    const result = { date: new Date().toISOString(), chromium: lab.browser.version(), steps: STEPS, viewport: '1280x800', idle, training };
    writeFileSync('bench-results/ui_main_thread.json', JSON.stringify(result, null, 1));
  } finally {
    await lab.close();
  }
}, 1_900_000);
