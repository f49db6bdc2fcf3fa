/**
 * The CLI's training progress (src/cli/progress.ts): on a terminal one bar redrawn in place with evaluations
 * printed above it — checked through a minimal terminal model that applies \r and \n — and plain lines with an
 * ETA when stderr is a file.
 */
import { describe, expect, it } from 'vitest';
import { formatEta, TrainProgress, type ProgressOut } from '../../src/cli/progress';

/** What a terminal shows after `chunks`: \r returns to column 0 and overwrites, \n starts a new line. */
function screen(chunks: readonly string[]): string[] {
  const lines: string[] = [''];
  let col = 0;
  for (const ch of chunks.join('')) {
    if (ch === '\n') {
      lines.push('');
      col = 0;
    } else if (ch === '\r') col = 0;
    else {
      const cur = lines[lines.length - 1]!;
      lines[lines.length - 1] = cur.slice(0, col) + ch + cur.slice(col + 1);
      col++;
    }
  }
  return lines.map((l) => l.trimEnd());
}

function recorder(isTTY: boolean): { out: ProgressOut; chunks: string[] } {
  const chunks: string[] = [];
  return { chunks, out: { isTTY, columns: 100, write: (t) => void chunks.push(t) } };
}

const step = (s: number, elapsedMs: number) => ({ step: s, loss: 1 / s, lr: 1e-4, grad_norm: 0.5, tokens_per_s: 1000, elapsed_ms: elapsedMs });

describe('training progress', () => {
  it('on a terminal: one bar in place, evaluations above it, the final bar at 100%', () => {
    const { out, chunks } = recorder(true);
    const p = new TrainProgress(out);
    p.start(20, 0);
    p.line('lab: 160 examples, 20 steps');
    for (let s = 1; s <= 20; s++) {
      p.step(step(s, s * 1000));
      if (s === 10) p.line('eval @ 10  MRR 0.3000');
    }
    p.end();
    const shown = screen(chunks).filter((l) => l !== '');
    expect(shown[0]).toBe('lab: 160 examples, 20 steps');
    expect(shown[1]).toBe('eval @ 10  MRR 0.3000');
    expect(shown[2]).toBe('step 20/20 [####################] 100%  loss 0.0500  1000 tok/s  ETA 0s');
    expect(shown).toHaveLength(3);
  });

  it("elsewhere: a line every 10 steps with the ETA of this process's pace (a resumed run counts from its checkpoint)", () => {
    const { out, chunks } = recorder(false);
    const p = new TrainProgress(out);
    p.start(1000, 500);
    for (let s = 501; s <= 520; s++) p.step(step(s, (s - 500) * 2000));
    expect(chunks).toEqual([
      'step 510  loss 0.0020  lr 1.00e-4  grad_norm 0.500  1000 tok/s  ETA 16m20s\n',
      'step 520  loss 0.0019  lr 1.00e-4  grad_norm 0.500  1000 tok/s  ETA 16m00s\n',
    ]);
  });

  it('formats the time left as a reader needs it', () => {
    expect([formatEta(0), formatEta(44.6), formatEta(192), formatEta(3725), formatEta(Number.POSITIVE_INFINITY)]).toEqual(['0s', '45s', '3m12s', '1h02m', '?']);
  });
});
