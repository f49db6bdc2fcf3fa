/**
 * An attention matrix as a heat map on a canvas (rows: the tokens that attend; columns: the prefix keys, then the
 * tokens): weights shaded from white (the lowest shown) to blue (the highest) on a scale shared by the maps — so a
 * near-uniform head still shows its structure — or a difference from red (−) through white to blue (+).
 */
import { useEffect, useRef } from 'react';

const CELL = 8;

export function Heatmap({ values, rows, cols, lo, hi, diverging, label, testId }: { readonly values: ArrayLike<number>; readonly rows: number; readonly cols: number; readonly lo: number; readonly hi: number; readonly diverging: boolean; readonly label: string; readonly testId?: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const v = values[i * cols + j]!;
        const t = diverging ? Math.max(-1, Math.min(1, v / (hi || 1))) : Math.max(0, Math.min(1, (v - lo) / (hi - lo || 1)));
        const shade = (x: number): number => Math.round(255 * (1 - Math.abs(x)));
        ctx.fillStyle = !diverging || t >= 0 ? `rgb(${shade(t)}, ${shade(t * 0.6)}, 255)` : `rgb(255, ${shade(t)}, ${shade(t)})`;
        ctx.fillRect(j * CELL, i * CELL, CELL, CELL);
      }
    }
  }, [values, rows, cols, lo, hi, diverging]);
  return (
    <figure className="heatmap" data-testid={testId}>
      <figcaption>{label}</figcaption>
      <canvas ref={ref} width={cols * CELL} height={rows * CELL} role="img" aria-label={label} />
    </figure>
  );
}
