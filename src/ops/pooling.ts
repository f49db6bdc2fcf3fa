/** cls: the hidden state of the first token (<s>); mean: the masked mean over the sequence's tokens. */
export type PoolingMode = 'cls' | 'mean';

/** The shaders' MODE override for each pooling mode. */
export const POOLING_MODE_IDS: Readonly<Record<PoolingMode, number>> = { cls: 0, mean: 1 };
