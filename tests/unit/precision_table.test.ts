/** How the precision tables (lab quantize-eval, the dashboard's Precision panel) write a change in MRR. */
import { describe, expect, it } from 'vitest';
import { signedPoints } from '../../src/engine/quant/precision_table';

describe('signed metric changes', () => {
  it('reads +0.00 for a change that rounds to zero, with the sign otherwise', () => {
    expect([signedPoints(-1e-6), signedPoints(0), signedPoints(0.0123), signedPoints(-0.0042)]).toEqual(['+0.00', '+0.00', '+1.23', '-0.42']);
  });
});
