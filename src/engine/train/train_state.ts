/**
 * A run's state between two steps — everything needed to continue so that the continued run computes what an
 * uninterrupted one would: the trainable values and AdamW's moments (the flat buffers), each update range's
 * AdamW step count, the number of steps done (which fixes the data order, the dropout seeds and the learning
 * rate: all are functions of the step), and the best evaluation so far with its weights. The checkpoint codec
 * (checkpoint.ts) turns it into one safetensors file.
 */
export interface FlatValues {
  readonly params: Float32Array;
  readonly m: Float32Array;
  readonly v: Float32Array;
}

/** The best evaluation so far: its step, the metric the run chooses by (`mrr`, `accuracy`, ...) and its value, and the weights. */
export interface BestSoFar {
  readonly step: number;
  readonly metric: string;
  readonly value: number;
  readonly weights: ReadonlyMap<string, Float32Array>;
}

export interface TrainState {
  /** Optimizer steps done; the next step is this one (0-based). */
  readonly step: number;
  readonly adamSteps: Readonly<Record<string, number>>;
  /** Null when nothing trains (then there is nothing to restore but the step). */
  readonly flat: FlatValues | null;
  readonly best: BestSoFar | null;
}

/** Where and how often a run saves its state: every `every` steps (0: never on a timer), at each evaluation, and on stop. */
export interface CheckpointPolicy {
  readonly every: number;
  save(state: TrainState): Promise<void>;
}
