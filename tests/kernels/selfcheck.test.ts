import { describe, expect, it } from 'vitest';
import { runSelfCheck, type KernelCheck } from '../../src/engine/selfcheck/selfcheck';
import { testRuntime } from '../helpers/gpu';

describe('GPU self-check (the dashboard\'s "Check kernels on this GPU")', () => {
  it('passes every kernel check on SwiftShader', async () => {
    const rt = await testRuntime();
    const results = await runSelfCheck(rt);
    expect(results.length).toBeGreaterThanOrEqual(7);
    for (const r of results) expect(r, `${r.kernel}: ${r.error ?? r.maxAbsDiff}`).toMatchObject({ ok: true });
  });

  it('reports a kernel that disagrees with its reference, and one that throws, without stopping', async () => {
    const rt = await testRuntime();
    const wrong: KernelCheck = { kernel: 'wrong', tolerance: 1e-6, run: async () => 0.5 };
    const broken: KernelCheck = { kernel: 'broken', tolerance: 1e-6, run: async () => Promise.reject(new Error('boom')) };
    const fine: KernelCheck = { kernel: 'fine', tolerance: 1e-6, run: async () => 0 };
    const results = await runSelfCheck(rt, [wrong, broken, fine]);
    expect(results.map((r) => [r.kernel, r.ok])).toEqual([['wrong', false], ['broken', false], ['fine', true]]);
    expect(results[1]!.error).toBe('boom');
  });
});
