/**
 * Runs that survive, through the CLI as a user runs it: Ctrl-C mid-run (a real SIGINT to the built CLI, and
 * the same signal in-process) finishes the step, saves a checkpoint and the weights and exits 130; `--resume`
 * continues so that every loss, evaluation and weight equals the uninterrupted run's (dropout on); a GPU device
 * destroyed mid-run ends it with exit 75, the checkpoint and best weights kept, and --resume finishes it; and the
 * output folder is never the model folder, an unrelated folder, an earlier run (without --overwrite), a file,
 * or a path that would hang, and a run that fails early leaves an earlier run's files as they were.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { lab } from '../helpers/lab_cli';
import { testRuntime } from '../helpers/gpu';

const MODEL = 'public/sample/model';
let dir = '';
let train = '';
let valid = '';
// Dropout on, so the continued run must also continue the dropout masks.
const RECIPE = ['--steps', '8', '--batch-size', '4', '--eval-every', '3', '--eval-batch-size', '4', '--lr', '1e-3', '--dropout', '0.1', '--code-length', '24', '--nl-length', '12'];

beforeAll(async () => {
  await testRuntime(); // Dawn on SwiftShader for the in-process runs
  dir = mkdtempSync(join(tmpdir(), 'lab-resume-'));
  const lines = readFileSync('public/sample/train.jsonl', 'utf8').split('\n');
  train = join(dir, 'train.jsonl');
  valid = join(dir, 'valid.jsonl');
  writeFileSync(train, lines.slice(0, 16).join('\n'));
  writeFileSync(valid, lines.slice(100, 108).join('\n'));
});
afterEach(() => vi.restoreAllMocks());

interface Event {
  readonly type: string;
  readonly step?: number;
  readonly loss?: number;
  readonly mrr?: number;
  readonly elapsed_ms?: number;
  readonly tokens_per_s?: number;
  readonly resumed_from?: number;
}

const events = (out: string): Event[] =>
  readFileSync(join(out, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Event);
/** Steps and evaluations without the timing fields. */
const numbers = (out: string) => events(out).filter((e) => e.type === 'step' || e.type === 'eval').map((e) => JSON.stringify({ ...e, elapsed_ms: 0, tokens_per_s: 0 }));

describe('Ctrl-C and --resume', () => {
  it('an interrupted run resumed with --resume equals the uninterrupted run: losses, evaluations and weights', async () => {
    const whole = join(dir, 'whole');
    const w = await lab('train', '--model', MODEL, '--train', train, '--valid', valid, '--out', whole, ...RECIPE);
    expect(w.code, w.stderr).toBe(0);
    expect(existsSync(join(whole, 'checkpoint.safetensors'))).toBe(true);

    const cut = join(dir, 'cut');
    // The signal arrives while step 3 or later runs; the trainer stops after that step.
    const timer = setInterval(() => {
      if (existsSync(join(cut, 'metrics.jsonl')) && events(cut).filter((e) => e.type === 'step').length >= 2) {
        clearInterval(timer);
        process.emit('SIGINT', 'SIGINT');
      }
    }, 5);
    const c = await lab('train', '--model', MODEL, '--train', train, '--valid', valid, '--out', cut, ...RECIPE);
    clearInterval(timer);
    expect(c.code).toBe(130);
    expect(c.stderr).toMatch(/SIGINT: stopping after this step/);
    expect(c.stderr.trim().split('\n').at(-1)).toMatch(/^lab: stopped at step \d; the checkpoint and the weights are in .*Continue with: npm run lab -- train .* --resume /);
    const stoppedAt = events(cut).filter((e) => e.type === 'step').length;
    expect(stoppedAt).toBeLessThan(8);
    expect(existsSync(join(cut, 'adapter_model.safetensors'))).toBe(true);

    const r = await lab('train', '--model', MODEL, '--train', train, '--valid', valid, '--resume', cut, ...RECIPE);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`then the checkpoint at step ${stoppedAt}`));
    expect(events(cut).find((e) => e.resumed_from !== undefined)?.resumed_from).toBe(stoppedAt);
    expect(numbers(cut)).toEqual(numbers(whole));
    for (const file of ['adapter_model.safetensors', 'adapter_config.json']) expect(readFileSync(join(cut, file)).equals(readFileSync(join(whole, file))), file).toBe(true);
  });

  it('refuses to resume with other settings or data, naming what differs', async () => {
    const whole = join(dir, 'whole');
    const lr = await lab('train', '--model', MODEL, '--train', train, '--valid', valid, '--resume', whole, ...RECIPE, '--lr', '2e-3');
    expect(lr.code).not.toBe(0);
    expect(lr.stderr).toMatch(/--resume keeps the run's recipe/);
    const other = join(dir, 'other.jsonl');
    writeFileSync(other, readFileSync('public/sample/train.jsonl', 'utf8').split('\n').slice(20, 36).join('\n'));
    const data = await lab('train', '--model', MODEL, '--train', other, '--valid', valid, '--resume', whole, ...RECIPE);
    expect(data.code).not.toBe(0);
    expect(data.stderr).toMatch(/other settings or data than it started with \(train: /);
    const none = await lab('train', '--model', MODEL, '--train', train, '--resume', join(dir, 'nowhere'), ...RECIPE);
    expect(none.stderr).toMatch(/holds no run_config\.json/);
  });

  it('a GPU device lost mid-run: exit 75 with the --resume command, the last checkpoint and the best weights kept; --resume on a new device equals the uninterrupted run', async () => {
    const whole = join(dir, 'whole');
    const lost = join(dir, 'lost');
    // The CLI's own device, captured as it is created, destroyed as a driver reset would end it.
    let device: GPUDevice | null = null;
    const request = GPUAdapter.prototype.requestDevice;
    vi.spyOn(GPUAdapter.prototype, 'requestDevice').mockImplementation(async function (this: GPUAdapter, descriptor?: GPUDeviceDescriptor) {
      device = await request.call(this, descriptor);
      return device;
    });
    const timer = setInterval(() => {
      if (device && existsSync(join(lost, 'metrics.jsonl')) && events(lost).filter((e) => e.type === 'step').length >= 5) {
        clearInterval(timer);
        device.destroy();
      }
    }, 5);
    const c = await lab('train', '--model', MODEL, '--train', train, '--valid', valid, '--out', lost, '--checkpoint-every', '2', ...RECIPE);
    clearInterval(timer);
    vi.restoreAllMocks();
    expect(c.code, c.stderr).toBe(75);
    const last = c.stderr.trim().split('\n').at(-1)!;
    expect(last).toMatch(/^lab: the GPU stopped the run: GPU device lost \(destroyed\).* Nothing after the last checkpoint was saved; the checkpoint at step (\d+) is in .* Continue \(on a new device\) with: npm run lab -- train .* --resume /);
    const saved = Number(/checkpoint at step (\d+)/.exec(last)![1]);
    expect(saved).toBeGreaterThanOrEqual(4);
    expect(c.stderr).toMatch(/wrote .* \(the best weights so far \(step 3, MRR/); // the evaluation at step 3 is not lost
    expect(events(lost).some((e) => e.type === 'done')).toBe(false);

    const r = await lab('train', '--model', MODEL, '--train', train, '--valid', valid, '--resume', lost, ...RECIPE);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`then the checkpoint at step ${saved}`));
    expect(numbers(lost)).toEqual(numbers(whole));
    for (const file of ['adapter_model.safetensors', 'adapter_config.json']) expect(readFileSync(join(lost, file)).equals(readFileSync(join(whole, file))), file).toBe(true);
  });

  it('a real SIGINT to the built CLI: the step finishes, a checkpoint is saved, exit 130 with one message', async () => {
    const bundle = join('dist', 'cli-test');
    execFileSync('npx', ['vite', 'build', '-c', 'vite.cli.config.ts', '--logLevel', 'error', '--outDir', bundle], { stdio: 'pipe' });
    const out = join(dir, 'signal');
    const child = spawn('node', [join(bundle, 'lab.js'), 'train', '--model', MODEL, '--train', train, '--out', out, '--software-gpu', ...RECIPE, '--steps', '400'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/^step 1 /m.test(stderr) && !child.killed) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/lab: stopped at step \d+; the checkpoint and the weights are in/);
    expect(existsSync(join(out, 'checkpoint.safetensors'))).toBe(true);
    expect(events(out).at(-1)).toMatchObject({ type: 'done', stopped: true });
  }, 120_000);
});

describe('the output folder', () => {
  const args = (out: string, ...more: string[]) => ['train', '--model', MODEL, '--train', train, '--out', out, '--steps', '1', '--batch-size', '4', '--code-length', '16', '--nl-length', '8', ...more];

  it('is never the model folder, a file, an unrelated folder, or an earlier run without --overwrite', async () => {
    expect((await lab(...args(MODEL))).stderr).toMatch(/--out public\/sample\/model is inside --model .*would overwrite the files it reads/);
    const file = join(dir, 'a-file');
    writeFileSync(file, 'mine');
    expect((await lab(...args(file))).stderr).toMatch(/is a file, not a folder/);
    const mine = join(dir, 'mine');
    mkdirSync(mine);
    writeFileSync(join(mine, 'notes.txt'), 'mine');
    expect((await lab(...args(mine))).stderr).toMatch(/is not empty and is not a lab run/);
    expect(readFileSync(join(mine, 'notes.txt'), 'utf8')).toBe('mine');
    const run = join(dir, 'run');
    expect((await lab(...args(run))).code).toBe(0);
    expect((await lab(...args(run))).stderr).toMatch(/already holds a run: continue it with --resume/);
    expect((await lab(...args(run, '--overwrite'))).code).toBe(0);
  });

  it('a run that fails before training (a bad --matmul-tuning) leaves the earlier run in the folder untouched', async () => {
    const run = join(dir, 'kept');
    expect((await lab(...args(run))).code).toBe(0);
    const before = readFileSync(join(run, 'metrics.jsonl'), 'utf8');
    const r = await lab(...args(run, '--overwrite', '--matmul-tuning', join(dir, 'missing.json')));
    expect(r.stderr).toMatch(/--matmul-tuning .* cannot be read/);
    expect(readFileSync(join(run, 'metrics.jsonl'), 'utf8')).toBe(before);
  });

  it('a folder the system will not create is an error, not a hang; gradient clipping 0 (off) trains', async () => {
    expect((await lab(...args('/proc/lab-out/x'))).stderr).toMatch(/cannot create the folder \/proc\/lab-out \(ENOENT\)/);
    const r = await lab(...args(join(dir, 'noclip'), '--max-grad-norm', '0'));
    expect(r.code, r.stderr).toBe(0);
  });
});
