/**
 * Issue 4's responsiveness check: a 250,000-line shard dropped into the page is parsed in the Worker while the
 * main thread stays responsive (no long task ≥ 50 ms), and the statistics report every example.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from './browser';
import { longTasks, observeLongTasks, prioritizePage } from './lab_page';

const LINES = 250_000;

function syntheticShard(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lab-large-'));
  const path = join(dir, 'large.jsonl');
  const words = ['sum', 'list', 'values', 'sort', 'records', 'key', 'parse', 'json', 'file', 'count'];
  const rows: string[] = [];
  for (let i = 0; i < LINES; i++) {
    const a = words[i % 10]!;
    const b = words[(i * 7) % 10]!;
    rows.push(JSON.stringify({ code_tokens: ['def', `${a}_${b}_${i}`, '(', 'x', ')', ':', 'return', 'x'], docstring_tokens: [a, 'the', b, String(i)] }));
  }
  writeFileSync(path, `${rows.join('\n')}\n`);
  return path;
}

describe('a 250,000-line shard in the page', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab({ production: true });
  });
  afterAll(async () => {
    await lab?.close();
  });

  it('parses in the Worker without a long main-thread task and counts every example', async () => {
    const shard = syntheticShard();
    const page = await lab.browser.newPage({ viewport: { width: 1360, height: 900 } });
    await page.goto(lab.url);
    await page.getByTestId('use-demo-model').click();
    await page.getByTestId('model-summary').waitFor({ timeout: 60_000 });
    await observeLongTasks(page);
    prioritizePage();
    await page.getByTestId('data-file-input').setInputFiles(shard);
    await page.getByText(/250,000 examples/).first().waitFor({ timeout: 120_000 });
    const tasks = await longTasks(page);
    expect(Math.max(0, ...tasks), `long tasks: ${tasks.map((t) => Math.round(t)).join(', ')} ms`).toBeLessThan(50);
    await page.screenshot({ path: 'test-results/large-shard.png' });
    await page.close();
  });
});
