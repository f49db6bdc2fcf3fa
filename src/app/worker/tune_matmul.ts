/**
 * The Worker's answer to 'tune-matmul': the matmul shapes the configuration's step and evaluation launch
 * (the planner's counting run, no GPU), then every tile timed on each on a GPU device of the tuner's own,
 * destroyed at the end like a run's. Timing shares the GPU with nothing else: a tuning is refused while a run
 * trains, and a run that starts stops the tuning first (its timings would be the run's noise).
 */
import { acquireDevice } from '../../engine/gpu/device';
import { Runtime } from '../../engine/gpu/runtime';
import { stepMatmulShapes } from '../../engine/plan/matmul_shapes';
import { adapterKey, bySize, matmulTuningOf, tuneMatmulShapes } from '../../engine/tune/matmul_tune';
import type { TuneAnswer, WorkerRequest } from './protocol';

type TuneRequest = Extract<WorkerRequest, { type: 'tune-matmul' }>;

export interface TuneContext {
  readonly gpu: GPU | undefined;
  readonly post: (message: TuneAnswer) => void;
  /** True while a run holds the GPU. */
  readonly busy: () => boolean;
}

/** The browser has no timing budget to fit: the bench's full repetitions, a few seconds on a real GPU. */
const REPS = { warmup: 3, reps: 7 };

export class KernelTuner {
  private running: Promise<void> | null = null;
  private cancelled = false;

  /** Stops a tuning in flight (after the tile being timed) and waits until its device is released. */
  async stop(): Promise<void> {
    this.cancelled = true;
    await this.running;
  }

  tune(request: TuneRequest, ctx: TuneContext): Promise<void> {
    if (this.running) return Promise.resolve(ctx.post({ type: 'tune-error', message: 'A tuning is already running.' }));
    if (ctx.busy()) return Promise.resolve(ctx.post({ type: 'tune-error', message: 'A run is training: tune the kernels when it ends.' }));
    this.cancelled = false;
    this.running = this.measure(request, ctx).finally(() => (this.running = null));
    return this.running;
  }

  private async measure(request: TuneRequest, ctx: TuneContext): Promise<void> {
    let rt: Runtime | null = null;
    try {
      const shapes = bySize(await stepMatmulShapes(request.model, request.peft, request.recipe));
      rt = new Runtime(await acquireDevice(ctx.gpu));
      const tuned = await tuneMatmulShapes(rt, shapes, {
        ...REPS,
        onShape: (done, total, shape) => ctx.post({ type: 'tune-progress', done, total, shape: shape.key }),
        shouldStop: () => this.cancelled,
      });
      if (this.cancelled) return ctx.post({ type: 'tune-cancelled' });
      const tuning = matmulTuningOf(adapterKey(rt.adapter), tuned);
      const maxSpeedup = Math.max(1, ...tuned.map((t) => t.speedup));
      ctx.post({ type: 'tune-done', tuning, summary: { shapes: tuned.length, faster: Object.keys(tuning.tiles).length, maxSpeedup, date: new Date().toISOString() } });
    } catch (error) {
      ctx.post({ type: 'tune-error', message: error instanceof Error ? error.message : String(error) });
    } finally {
      rt?.destroy();
    }
  }
}
