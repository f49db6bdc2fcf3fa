/** The kernel checks the self-check runs, one per op, each small enough for a software adapter. */
import { add } from '../kernels/add';
import * as ref from '../../reference/add';
import type { KernelCheck } from './selfcheck';
import { maxAbsDiff, seeded } from './selfcheck';

const addCheck: KernelCheck = {
  kernel: 'add',
  tolerance: 0,
  async run(rt) {
    const n = 1031;
    const a = seeded(n, 1);
    const b = seeded(n, 2);
    const ta = rt.tensorFrom(a, [n], 'a');
    const tb = rt.tensorFrom(b, [n], 'b');
    const out = rt.tensor([n], 'out');
    const [got] = await rt.run([add(rt, out, ta, tb)], [out]);
    rt.release(ta, tb, out);
    const want = new Float32Array(n);
    ref.add(want, a, b, n);
    return maxAbsDiff(got!, want);
  },
};

export const KERNEL_CHECKS: readonly KernelCheck[] = [addCheck];
