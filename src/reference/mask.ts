/** CPU twin of mask.wgsl: x ← x ⊙ m in place (m: 1 kept, 0 pruned); as y = x ⊙ m its backward is the same op. */
import type { Vec } from './types';

export function mask(x: Vec, m: Vec, n: number): void {
  for (let i = 0; i < n; i++) x[i] = x[i]! * m[i]!;
}
