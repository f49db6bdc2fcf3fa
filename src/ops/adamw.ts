/** One AdamW update's settings; `step` is 1-based (bias corrections 1 − beta^step). */
export interface AdamWStep {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly step: number;
}
