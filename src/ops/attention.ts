/** Attention's shape: batch, sequence, heads, head size, prefix rows, dropout on the probabilities. */
export interface AttentionDims {
  readonly B: number;
  readonly T: number;
  /** Heads; C = H * D. */
  readonly H: number;
  readonly D: number;
  /** Prefix rows prepended to every sequence's keys and values (prefix-tuning); 0 for none. */
  readonly P: number;
  /** Dropout probability on the attention probabilities, in [0, 1); 0 turns it off. */
  readonly dropout: number;
}
