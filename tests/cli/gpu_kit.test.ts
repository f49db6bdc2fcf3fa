/**
 * The GPU benchmark kit (issue 16): `npm run gpu-kit` builds it (under 64 MiB, printed), and in an empty folder
 * outside the repository `run.sh --quick` unpacks it and runs the whole benchmark with the kit's own Node and
 * Dawn — the tile tuner, the kernels, the step per method and evaluation on SwiftShader, the PyTorch baseline
 * (the reference environment's CPU torch) — and prints the ratio table, leaving the JSON reports behind.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pythonPath } from '../helpers/pyref_paths';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

describe('the GPU benchmark kit', () => {
  it('builds under 64 MiB, unpacks outside the repo, and run.sh --quick prints the comparison table', { timeout: 900_000 }, () => {
    const built = execFileSync('npm', ['run', '--silent', 'gpu-kit'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 16 << 20 });
    const size = /lab-gpu-kit\.tar\.xz \+ gpu-kit\/run\.sh: ([\d.]+) MiB \(limit 64 MiB\)/.exec(built);
    expect(size, built).not.toBeNull();
    expect(Number(size![1])).toBeLessThan(64);
    const dir = mkdtempSync(join(tmpdir(), 'lab-gpu-kit-'));
    for (const f of ['lab-gpu-kit.tar.xz', 'run.sh']) copyFileSync(join('gpu-kit', f), join(dir, f));
    // /bin/sh is dash here and bash on other distributions: the script must parse in both.
    for (const shell of ['sh', 'bash']) execFileSync(shell, ['-n', join(dir, 'run.sh')]);
    // Nothing of the repository on the way: a plain PATH, the kit's node, the reference torch as "the machine's".
    const env = { PATH: '/usr/bin:/bin', HOME: dir, PYTHON: pythonPath(), VK_ICD_FILENAMES: SWIFTSHADER_ICD };
    const out = execFileSync('sh', ['run.sh', '--quick'], { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 16 << 20, timeout: 840_000 });
    expect(out).toMatch(/WebGPU\s+PyTorch fp32\s+ratio vs fp32/);
    expect(out).toMatch(/^full\s+[\d.]+\s+[\d.]+\s+[\d.]+×$/m);
    expect(out).toMatch(/^lora\s+[\d.]+\s+[\d.]+\s+[\d.]+×$/m);
    const results = join(dir, 'lab-gpu-results');
    for (const f of ['tuning.json', 'webgpu.json', 'torch.json', 'compare.json']) expect(existsSync(join(results, f)), f).toBe(true);
    const webgpu = JSON.parse(readFileSync(join(results, 'webgpu.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(webgpu)).toEqual(expect.arrayContaining(['schema', 'environment', 'kernels', 'steps', 'eval']));
    expect(existsSync(join(dir, 'lab-gpu-kit/bin/node'))).toBe(true);
  });
});
