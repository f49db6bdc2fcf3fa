/** Kernel timing lives in the engine (the dashboard's Worker tunes kernels too); the bench keeps its import path. */
export { summarize, timeDispatches, timingMethod, type Timing, type TimingMethod, type TimingOptions } from '../engine/tune/timing';
