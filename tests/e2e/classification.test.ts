/**
 * A classification run in the dashboard (issue 13), in Chromium on SwiftShader: the bundled probing sample (real
 * standard-library functions, no queries) is dropped as the training shard, the task preset "does a function
 * return a value?" chosen, and a short LoRA run trains with a held-out split; the curves show validation
 * accuracy, F1 and AUC-ROC, the runs table the best accuracy with accuracy/F1/AUC beside it. The share link's
 * configuration then trains the same task from the CLI (`lab train --config`).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { decodeShareHash } from '../../src/app/lib/share';
import { labOk } from '../helpers/lab_cli';
import { openLabPage, type Lab } from './browser';
import { waitForRuns } from './lab_page';

const PROBE = 'public/sample/probe.jsonl';

describe('classification in the page', () => {
  let lab: Lab;
  let page: Page;
  let errors: string[] = [];
  beforeAll(async () => {
    ({ lab, page, errors } = await openLabPage());
  }, 120_000);
  afterAll(async () => {
    await lab?.close();
  });

  it('trains a labelled file: accuracy/F1/AUC curves and table; the same configuration trains from the CLI', async () => {
    await page.goto(lab.url);
    await page.getByTestId('use-demo-model').click();
    await page.getByTestId('model-summary').waitFor({ timeout: 30_000 });
    await page.getByTestId('data-file-input').setInputFiles([PROBE]);
    await expect.poll(() => page.getByTestId('shard-summary').count(), { timeout: 30_000 }).toBe(1);
    expect(await page.getByTestId('data-panel').textContent()).toContain('No query field');

    await page.getByTestId('task-preset').selectOption('probe-sample');
    expect(await page.getByTestId('task-kind').inputValue()).toBe('classification');
    expect(await page.getByTestId('task-label').inputValue()).toBe('syntactic_returns');
    await expect.poll(() => page.getByTestId('recipe-nlLength').count()).toBe(0); // no query side
    await page.getByTestId('task-panel').screenshot({ path: 'test-results/task-panel.png' });
    await page.getByTestId('valid-mode').selectOption('split');
    await page.getByTestId('valid-limit').fill('40');
    await page.getByTestId('recipe-batchSize').fill('4');
    await page.getByTestId('recipe-steps').fill('4');
    await page.getByTestId('recipe-evalEvery').fill('2');
    await page.getByTestId('recipe-evalBatchSize').fill('8');
    await page.getByTestId('recipe-codeLength').fill('32');
    await page.getByTestId('recipe-lr').fill('0.001');
    await page.getByTestId('start').click();
    await waitForRuns(page, 'done', 1, 300_000);

    await page.getByTestId('chart-accuracy').waitFor();
    await page.getByTestId('chart-auc').waitFor();
    expect(await page.getByTestId('chart-mrr').count()).toBe(0);
    const best = await page.getByTestId('best-mrr').first().textContent();
    expect(Number(best)).toBeGreaterThan(0);
    expect(Number(best)).toBeLessThanOrEqual(100);
    expect(await page.getByTestId('best-mrr').first().getAttribute('title')).toBe('classification: best by accuracy');
    await page.getByTestId('runs-panel').screenshot({ path: 'test-results/classification-runs.png' });

    const saved: string[] = [];
    const dl = mkdtempSync(join(tmpdir(), 'lab-cls-dl-'));
    page.on('download', (d) => {
      const path = join(dl, d.suggestedFilename());
      void d.saveAs(path).then(() => saved.push(path));
    });
    // The thesis-shaped results table: the run's row, exported as Markdown.
    expect(await page.getByTestId('result-row').allTextContents()).toEqual([expect.stringMatching(/^LoRA-64classification of syntactic_returns[\d,]+[\d.]+accuracy[\d.]+1$/)]);
    await page.getByTestId('results-panel').screenshot({ path: 'test-results/results-panel.png' });
    await page.getByTestId('results-markdown').click();
    await expect.poll(() => saved.length, { timeout: 10_000 }).toBe(1);
    const markdown = readFileSync(saved.pop()!, 'utf8').split('\n');
    expect(markdown[0]).toBe('| Method | Note | #Params | % | Metric | Valid (%) | Runs |');
    expect(markdown[2]).toMatch(new RegExp(`^\\| LoRA-64 \\| classification of syntactic_returns \\| [\\d,]+ \\| [\\d.]+ \\| accuracy \\| ${best} \\| 1 \\|$`));

    // The best weights download as a peft SEQ_CLS adapter; chosen again, Evaluate gives the best evaluation back.
    await page.getByTestId('train-panel').getByRole('button', { name: 'Best', exact: true }).click();
    await expect.poll(() => saved.length, { timeout: 10_000 }).toBe(2);
    const adapterConfig = JSON.parse(readFileSync(saved.find((p) => p.endsWith('.json'))!, 'utf8')) as { task_type: string };
    expect(adapterConfig.task_type).toBe('SEQ_CLS');
    await page.getByLabel('Choose adapter files…').setInputFiles(saved);
    await page.getByTestId('adapter-summary').waitFor({ timeout: 10_000 });
    await page.getByTestId('evaluate').click();
    await page.getByTestId('evaluation').waitFor({ timeout: 60_000 });
    const evaluated = (await page.getByTestId('evaluation').textContent()) ?? '';
    expect(evaluated).toMatch(/on 40 validation records \(2 classes\): accuracy (\d+\.\d\d) · F1 \d+\.\d\d · macro-F1 \d+\.\d\d · AUC-ROC \d+\.\d\d/);
    expect(/accuracy (\d+\.\d\d)/.exec(evaluated)![1]).toBe(best);

    await page.getByTestId('share').click();
    const link = await page.getByTestId('share-link').inputValue();
    const shared = decodeShareHash(new URL(link).hash);
    expect(shared && 'json' in shared).toBe(true);
    const config = (shared as { json: { task: { kind: string; label: string } } }).json;
    expect(config.task).toMatchObject({ kind: 'classification', label: 'syntactic_returns' });
    const dir = mkdtempSync(join(tmpdir(), 'lab-cls-e2e-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    writeFileSync(join(dir, 'train.jsonl'), readFileSync(PROBE, 'utf8').split('\n').slice(0, 40).join('\n'));
    const out = join(dir, 'run');
    const cli = await labOk('train', '--model', 'public/sample/model', '--config', join(dir, 'config.json'), '--train', join(dir, 'train.jsonl'), '--valid', join(dir, 'train.jsonl'), '--steps', '2', '--out', out, '--software-gpu');
    expect(cli.stderr).toMatch(/2 classes: "0" ×\d+, "1" ×\d+/);
    expect(cli.stderr).toMatch(/eval @ 2 {2}acc /);
    expect(JSON.parse(readFileSync(join(out, 'run_config.json'), 'utf8'))).toMatchObject({ task: { kind: 'classification', label: 'syntactic_returns', classes: ['0', '1'] } });

    await page.getByTestId('curves-panel').scrollIntoViewIfNeeded();
    await page.mouse.move(0, 0);
    await page.screenshot({ path: 'test-results/classification.png', fullPage: false });
    expect(errors).toEqual([]);
  }, 600_000);
});
