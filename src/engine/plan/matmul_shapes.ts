/**
 * The matmul shapes a training step (and its evaluation) launches, found the planner's way: the real
 * TrainableModel runs one step on a counting device while the runtime records every matmul it builds. The
 * tuner (`npm run bench -- --tune`) times tiles on exactly these shapes.
 */
import { Runtime } from '../gpu/runtime';
import { recordMatmulShapes, type MatmulShape } from '../kernels/matmul_tiles';
import type { EncoderConfig } from '../model/config';
import { evaluateRetrieval } from '../eval/retrieval';
import type { PeftConfig } from '../peft/types';
import type { RecipeSettings } from '../train/run_config';
import { countingDevice } from './counting_device';
import { trainingModel, syntheticIds } from './memory';

export interface StepMatmulShape extends MatmulShape {
  readonly key: string;
  /** Launches per training step plus one evaluation batch (how much a faster tile for it is worth). */
  readonly launches: number;
}

export async function stepMatmulShapes(model: EncoderConfig, peft: PeftConfig, recipe: RecipeSettings): Promise<StepMatmulShape[]> {
  const { acquired } = countingDevice();
  const rt = new Runtime(acquired);
  const seen = recordMatmulShapes(rt);
  const tm = trainingModel(rt, model, peft, recipe);
  const { batchSize, codeLength, nlLength } = tm.shape;
  await tm.step(syntheticIds(model, batchSize, codeLength), syntheticIds(model, batchSize, nlLength), 0, recipe.lr);
  const n = recipe.evalBatchSize;
  await evaluateRetrieval(rt, tm, { n, code: syntheticIds(model, n, codeLength), nl: syntheticIds(model, n, nlLength) }, n);
  return [...seen].map(([key, s]) => ({ ...s, key }));
}
