/**
 * The kernel checks the self-check runs: the kernels a training step leans on, each on small seeded inputs
 * with awkward sizes, against its CPU twin. Small enough for a software adapter.
 */
import type { Runtime } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { adamw, adamwUniform } from '../kernels/adamw';
import { activation } from '../kernels/activation';
import { add } from '../kernels/add';
import { attention, ROW_STATS } from '../kernels/attention';
import { crossEntropy } from '../kernels/cross_entropy';
import { dropout } from '../kernels/dropout';
import { layernorm } from '../kernels/layernorm';
import { dynamicQuant, dynamicQuantPartials } from '../kernels/dynamic_quant';
import { mask } from '../kernels/mask';
import { matmul } from '../kernels/matmul';
import { softmax } from '../kernels/softmax';
import * as refAdamw from '../../reference/adamw';
import * as refAct from '../../reference/activation';
import * as refAdd from '../../reference/add';
import * as refAttn from '../../reference/attention';
import * as refCe from '../../reference/cross_entropy';
import * as refDrop from '../../reference/dropout';
import * as refLn from '../../reference/layernorm';
import * as refDq from '../../reference/dynamic_quant';
import * as refMask from '../../reference/mask';
import * as refMm from '../../reference/matmul';
import * as refSm from '../../reference/softmax';
import { maxAbsDiff, seeded, type KernelCheck } from './kernel_check';

/** Runs `build` on uploaded inputs and reads `outputs` back; releases every tensor it made. */
async function onGpu(rt: Runtime, inputs: Float32Array[], outputs: number[], build: (ins: Tensor[], outs: Tensor[]) => Parameters<Runtime['run']>[0]): Promise<Float32Array[]> {
  const ins = inputs.map((data, i) => rt.tensorFrom(data, [data.length], `check.in${i}`));
  const outs = outputs.map((n, i) => rt.tensor([n], `check.out${i}`));
  try {
    return await rt.run(build(ins, outs), outs);
  } finally {
    rt.release(...ins, ...outs);
  }
}

const worst = (pairs: [ArrayLike<number>, ArrayLike<number>][]): number => Math.max(...pairs.map(([a, b]) => maxAbsDiff(a, b)));

const addCheck: KernelCheck = {
  kernel: 'add',
  tolerance: 0,
  async run(rt) {
    const [a, b] = [seeded(1031, 1), seeded(1031, 2)];
    const [got] = await onGpu(rt, [a, b], [1031], ([x, y], [o]) => [add(rt, o!, x!, y!)]);
    const want = new Float32Array(1031);
    refAdd.add(want, a, b, 1031);
    return maxAbsDiff(got!, want);
  },
};

const matmulCheck: KernelCheck = {
  kernel: 'matmul',
  tolerance: 1e-4,
  async run(rt) {
    const dims = { M: 67, N: 45, K: 131, transB: true };
    const [a, b, bias] = [seeded(67 * 131, 3), seeded(45 * 131, 4), seeded(45, 5)];
    const [got] = await onGpu(rt, [a, b, bias], [67 * 45], ([x, y, z], [o]) => [matmul(rt, o!, x!, y!, z!, dims)]);
    const want = new Float32Array(67 * 45);
    refMm.matmul(want, a, b, bias, dims);
    return maxAbsDiff(got!, want);
  },
};

const layernormCheck: KernelCheck = {
  kernel: 'layernorm',
  tolerance: 1e-4,
  async run(rt) {
    const [rows, C] = [13, 300];
    const [x, w, b] = [seeded(rows * C, 6), seeded(C, 7), seeded(C, 8)];
    const [out, mean, rstd] = await onGpu(rt, [x, w, b], [rows * C, rows, rows], ([i, g, h], [o, m, r]) => [layernorm(rt, o!, m!, r!, i!, g!, h!, rows, C)]);
    const want = [new Float32Array(rows * C), new Float32Array(rows), new Float32Array(rows)] as const;
    refLn.layernorm(want[0], want[1], want[2], x, w, b, rows, C, 1e-5);
    return worst([[out!, want[0]], [mean!, want[1]], [rstd!, want[2]]]);
  },
};

const softmaxGeluCheck: KernelCheck = {
  kernel: 'softmax, gelu',
  tolerance: 1e-5,
  async run(rt) {
    const [rows, C] = [7, 129];
    const x = seeded(rows * C, 9).map((v) => 4 * v);
    const [sm, ge] = await onGpu(rt, [x], [rows * C, rows * C], ([i], [s, g]) => [softmax(rt, s!, i!, rows, C), activation(rt, g!, i!, 'gelu')]);
    const [wantSm, wantGe] = [new Float32Array(rows * C), new Float32Array(rows * C)];
    refSm.softmax(wantSm, x, rows, C);
    refAct.activation(wantGe, x, rows * C, 'gelu');
    return worst([[sm!, wantSm], [ge!, wantGe]]);
  },
};

const attentionCheck: KernelCheck = {
  kernel: 'attention',
  tolerance: 1e-5,
  async run(rt) {
    const dims = { B: 2, T: 5, H: 3, D: 7, P: 2, dropout: 0 };
    const C = dims.H * dims.D;
    const n = dims.B * dims.T * C;
    const [q, k, v, pk, pv] = [seeded(n, 10), seeded(n, 11), seeded(n, 12), seeded(dims.P * C, 13), seeded(dims.P * C, 14)];
    const mask = Uint32Array.of(1, 1, 1, 1, 1, 1, 1, 1, 0, 0);
    const maskT = rt.tensorFrom(mask, [dims.B, dims.T], 'check.mask');
    const seed = rt.uniform(1, 'check.seed');
    const statsN = dims.B * dims.H * dims.T * ROW_STATS;
    try {
      const [out, stats] = await onGpu(rt, [q, k, v, pk, pv], [n, statsN], ([a, b, c, d, e], [o, s]) => attention(rt, o!, s!, a!, b!, c!, maskT, { pk: d!, pv: e! }, seed, dims));
      const [wantOut, wantStats] = [new Float32Array(n), new Float32Array(statsN)];
      refAttn.attention(wantOut, wantStats, q, k, v, mask, { pk, pv }, 0, dims);
      return worst([[out!, wantOut], [stats!, wantStats]]);
    } finally {
      rt.release(maskT, seed);
    }
  },
};

const lossDropoutCheck: KernelCheck = {
  kernel: 'cross_entropy, dropout',
  tolerance: 1e-5,
  async run(rt) {
    const R = 9;
    const n = 517;
    const logits = seeded(R * R, 15).map((v) => 5 * v);
    const x = seeded(n, 17);
    const targets = rt.tensorFrom(Uint32Array.from({ length: R }, (_, i) => i), [R], 'check.targets');
    const logitsT = rt.tensorFrom(logits, [R, R], 'check.logits'); // cross_entropy wants the (R, C) shape
    const rowWeights = new Float32Array(R).fill(1 / R);
    const weights = rt.tensorFrom(rowWeights, [R], 'check.weights');
    const seed = rt.uniform(1, 'check.dropseed');
    rt.write(seed, Uint32Array.of(1234));
    try {
      const [loss, losses, , drop] = await onGpu(rt, [x], [1, R, R, n], ([xx], [l, ls, lse, d]) => [
        ...crossEntropy(rt, l!, ls!, lse!, logitsT, targets, weights),
        dropout(rt, d!, xx!, { seed, stream: 3 }, 0.25),
      ]);
      const want = { loss: new Float32Array(1), losses: new Float32Array(R), lse: new Float32Array(R), drop: new Float32Array(n) };
      refCe.crossEntropy(want.loss, want.losses, want.lse, logits, Array.from({ length: R }, (_, i) => i), rowWeights, R, R);
      refDrop.dropout(want.drop, x, 1234, 0.25, n, 3);
      return worst([[loss!, want.loss], [losses!, want.losses], [drop!, want.drop]]);
    } finally {
      rt.release(targets, logitsT, weights, seed);
    }
  },
};

/** AdamW's update lands in its (input) params buffer, so it is checked on its own. */
const adamwCheck: KernelCheck = {
  kernel: 'adamw',
  tolerance: 1e-6,
  async run(rt) {
    const n = 517;
    const [p0, g] = [seeded(n, 18), seeded(n, 19)];
    const hp = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step: 3 };
    const zeros = new Float32Array(n);
    const t = { p: rt.tensorFrom(p0, [n], 'check.p'), m: rt.tensorFrom(zeros, [n], 'check.m'), v: rt.tensorFrom(zeros, [n], 'check.v'), g: rt.tensorFrom(g, [n], 'check.g') };
    const norm = rt.tensorFrom(Float32Array.of(2, 0.5), [2], 'check.norm');
    const hpT = rt.uniform(8, 'check.hp');
    rt.write(hpT, adamwUniform(hp));
    try {
      const [got] = await rt.run([adamw(rt, t.p, t.m, t.v, t.g, norm, hpT)], [t.p]);
      const want = Float32Array.from(p0);
      refAdamw.adamw(want, g, new Float32Array(n), new Float32Array(n), n, hp, 0.5);
      return maxAbsDiff(got!, want);
    } finally {
      rt.release(t.p, t.m, t.v, t.g, norm, hpT);
    }
  },
};

/** Pruning's gradient mask (in place) and quantize_dynamic's activation quantization: exact, like their twins. */
const compressionCheck: KernelCheck = {
  kernel: 'mask, dynamic_quant',
  tolerance: 0,
  async run(rt) {
    const n = 2053;
    const x = seeded(n, 20);
    const m = Float32Array.from(seeded(n, 21), (v) => (v > 0 ? 1 : 0));
    const xt = rt.tensorFrom(x, [n], 'check.x');
    const mt = rt.tensorFrom(m, [n], 'check.m');
    const [q, stats, partials] = [rt.tensor([n], 'check.q'), rt.tensor([4], 'check.stats'), rt.tensor([dynamicQuantPartials(n)], 'check.partials')];
    try {
      const [gotQ] = await rt.run(dynamicQuant(rt, q, stats, partials, xt), [q]);
      const [gotMask] = await rt.run([mask(rt, xt, mt)], [xt]);
      const wantQ = new Float32Array(n);
      refDq.dynamicQuant(wantQ, x, n);
      const wantMask = Float32Array.from(x);
      refMask.mask(wantMask, m, n);
      return worst([[gotQ!, wantQ], [gotMask!, wantMask]]);
    } finally {
      rt.release(xt, mt, q, stats, partials);
    }
  },
};

export const KERNEL_CHECKS: readonly KernelCheck[] = [addCheck, matmulCheck, layernormCheck, softmaxGeluCheck, attentionCheck, lossDropoutCheck, adamwCheck, compressionCheck];
