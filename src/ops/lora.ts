/** A LoRA branch on a linear: rows × in → out, rank r, scale alpha / r (alpha / √r with rsLoRA). */
export interface LoraDims {
  readonly rows: number;
  readonly inDim: number;
  readonly outDim: number;
  readonly rank: number;
  readonly scale: number;
}
