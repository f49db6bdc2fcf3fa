/** Layer lists as people type them: "8-11", "0, 2, 4", "" (all layers). 0-based, as the configuration is. */

/** The list, null for all layers, or the text itself when it is not a list (the validator then names it). */
export function parseLayerText(text: string): readonly number[] | null | string {
  const t = text.trim();
  if (t === '' || t.toLowerCase() === 'all') return null;
  const out: number[] = [];
  for (const part of t.split(/[\s,;]+/).filter(Boolean)) {
    const range = /^(\d+)\s*[-–]\s*(\d+)$/.exec(part);
    if (range) {
      const [a, b] = [Number(range[1]), Number(range[2])];
      if (b < a || b - a > 4096) return text;
      for (let l = a; l <= b; l++) out.push(l);
    } else if (/^\d+$/.test(part)) out.push(Number(part));
    else return text;
  }
  return out;
}

export function layerText(layers: unknown): string {
  if (layers === null || layers === undefined) return '';
  if (typeof layers === 'string') return layers;
  if (!Array.isArray(layers) || layers.length === 0) return '';
  const sorted = [...(layers as number[])].sort((a, b) => a - b);
  const contiguous = sorted.every((l, i) => i === 0 || l === sorted[i - 1]! + 1);
  return contiguous && sorted.length > 2 ? `${sorted[0]}-${sorted.at(-1)}` : sorted.join(', ');
}
