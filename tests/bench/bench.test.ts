/**
 * `npm run bench -- --quick` end to end on SwiftShader, through the function the command calls: every
 * section runs and the report has the documented JSON shape. No timing is asserted (SwiftShader's numbers
 * mean nothing); what is asserted is structure, that the work happened (FLOPs, finite loss), and that the
 * memory planner predicted each method's peak exactly.
 */
import { describe, expect, it } from 'vitest';
import { kernelCases, kernelDims } from '../../src/bench/kernels';
import { QUICK_SCALE } from '../../src/bench/methods';
import { formatReport, REPORT_SCHEMA } from '../../src/bench/report';
import { runBench } from '../../src/bench/run';
import { testRuntime } from '../helpers/gpu';

describe('bench --quick on SwiftShader', () => {
  it('runs kernels, steps and evaluation and produces the report shape', async () => {
    await testRuntime(); // the same Dawn instance and toggles as the other GPU tests
    const lines: string[] = [];
    // One method keeps this fast: LWO, whose two phases also check the planner across a changing step.
    const report = await runBench({ quick: true, methods: ['lwo'], softwareGpu: true, sections: ['kernels', 'steps', 'eval'] }, (l) => lines.push(l));
    expect(report.failures).toEqual([]);
    expect(report.schema).toBe(REPORT_SCHEMA);
    expect(report.quick).toBe(true);
    expect(report.model.name).toBe('tiny');
    expect(report.environment.adapter.description.length + report.environment.adapter.vendor.length).toBeGreaterThan(0);
    expect(['timestamp-query', 'wall-clock']).toContain(report.environment.kernelTiming);
    expect(report.environment.fp32Peak).toBeNull(); // SwiftShader is a CPU: no GPU peak to compare with

    const r = QUICK_SCALE.recipe;
    const expectedIds = kernelCases(kernelDims(QUICK_SCALE.model, r.batchSize, r.codeLength, QUICK_SCALE.loraRank, r.attentionDropout)).map((c) => c.id);
    expect(report.kernels.map((k) => k.id)).toEqual(expectedIds);
    for (const k of report.kernels) {
      expect(k.bytes).toBeGreaterThan(0);
      expect(Number.isFinite(k.ms) && Number.isFinite(k.gflops) && Number.isFinite(k.gbps)).toBe(true);
      expect(k.fractionOfPeak).toBeNull();
    }
    expect(report.kernels.find((k) => k.id.startsWith('linear_fwd'))!.flops).toBe(2 * 64 * 32 * 32);

    expect(report.steps.map((s) => s.method)).toEqual(['lwo']);
    for (const s of report.steps) {
      expect(s.flopsPerStep).toBeGreaterThan(0);
      expect(s.boundBytesPerStep).toBeGreaterThan(0);
      expect(s.dispatches).toBeGreaterThan(0);
      expect(s.steps).toBe(QUICK_SCALE.timedSteps);
      expect(Number.isFinite(s.lastLoss)).toBe(true);
      expect(s.peakBytes).toBe(s.plannedBytes);
    }
    expect(report.eval).toMatchObject({ method: 'lwo', examples: QUICK_SCALE.evalExamples, batchSize: r.evalBatchSize });
    expect(report.eval!.sequencesPerSecond).toBeGreaterThan(0);

    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    const text = formatReport(report);
    expect(text).toContain(report.environment.adapter.description);
    expect(text).toContain('lwo');
    expect(lines).toContain('step: lwo');
  });
});
