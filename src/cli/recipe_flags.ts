/** The training-recipe flags shared by train, eval and embed, turned into RecipeSettings. */
import type { EncoderConfig } from '../engine/model/config';
import { DEFAULT_RECIPE, parseRecipe, type RecipeSettings } from '../engine/train/run_config';
import { ConfigError } from '../engine/peft/fields';
import type { FlagReader, FlagSpec } from './args';
import { CliError } from './errors';

export const RECIPE_FLAGS: FlagSpec = {
  lr: { type: 'string' },
  'batch-size': { type: 'string' },
  steps: { type: 'string' },
  epochs: { type: 'string' },
  'warmup-steps': { type: 'string' },
  'weight-decay': { type: 'string' },
  'max-grad-norm': { type: 'string' },
  seed: { type: 'string' },
  'no-shuffle': { type: 'boolean' },
  dropout: { type: 'string' },
  'code-length': { type: 'string' },
  'nl-length': { type: 'string' },
  pooling: { type: 'string' },
  normalize: { type: 'boolean' },
  scale: { type: 'string' },
  'frozen-f16': { type: 'boolean' },
  'eval-every': { type: 'string' },
  'eval-batch-size': { type: 'string' },
};

export const RECIPE_HELP = `  --lr N              learning rate (default ${DEFAULT_RECIPE.lr})
  --batch-size N      training batch size (default ${DEFAULT_RECIPE.batchSize})
  --steps N | --epochs N   run length (default ${DEFAULT_RECIPE.epochs} epoch; the last partial batch of an epoch is dropped)
  --warmup-steps N    linear warmup steps (default ${DEFAULT_RECIPE.warmupSteps}), then linear decay to 0
  --weight-decay N    AdamW weight decay, not on biases and LayerNorm weights (default ${DEFAULT_RECIPE.weightDecay})
  --max-grad-norm N   global gradient-norm clipping, 0 = off (default ${DEFAULT_RECIPE.maxGradNorm})
  --seed N            seed for shuffling, dropout and initialization (default ${DEFAULT_RECIPE.seed})
  --no-shuffle        batches in file order
  --dropout P         hidden and attention dropout (default ${DEFAULT_RECIPE.hiddenDropout})
  --code-length N     code tokens incl. <s> and </s> (default ${DEFAULT_RECIPE.codeLength}, capped by the model)
  --nl-length N       query tokens (default ${DEFAULT_RECIPE.nlLength})
  --pooling P         pooler (CodeXGLUE, default) | cls | mean (UniXcoder)
  --normalize         L2-normalize embeddings (UniXcoder; use with --scale 20)
  --scale N           multiply the scores (default ${DEFAULT_RECIPE.scale})
  --frozen-f16        keep frozen linear weights in 16 bits on the GPU (halves their memory; works on every GPU)
  --eval-every N      evaluate on --valid every N steps (default: at the end only)
  --eval-batch-size N sequences per evaluation chunk (default ${DEFAULT_RECIPE.evalBatchSize})`;

/** Flags over a base recipe (the defaults, or a saved run's recipe). */
export function recipeFromFlags(f: FlagReader, model: EncoderConfig, base: RecipeSettings = DEFAULT_RECIPE): RecipeSettings {
  const maxLen = model.maxPositions - model.padTokenId - 1;
  const dropout = f.string('dropout') === undefined ? null : f.number('dropout', 0, 0, 0.99);
  const steps = f.optionalInt('steps', 1, 100_000_000);
  const epochs = f.string('epochs') === undefined ? null : f.number('epochs', 1, 0.001, 10_000);
  if (steps !== null && epochs !== null) throw new CliError('give --steps or --epochs, not both');
  const raw = {
    ...base,
    lr: f.number('lr', base.lr, 0, 1),
    batchSize: f.number('batch-size', base.batchSize, 2, 4096, true),
    steps: steps ?? (epochs !== null ? null : base.steps),
    epochs: epochs ?? base.epochs,
    warmupSteps: f.number('warmup-steps', base.warmupSteps, 0, 1e8, true),
    weightDecay: f.number('weight-decay', base.weightDecay, 0, 10),
    maxGradNorm: f.number('max-grad-norm', base.maxGradNorm, 0, 1e6),
    seed: f.number('seed', base.seed, 0, 0xffffffff, true),
    shuffle: f.bool('no-shuffle') ? false : base.shuffle,
    hiddenDropout: dropout ?? base.hiddenDropout,
    attentionDropout: dropout ?? base.attentionDropout,
    codeLength: f.number('code-length', Math.min(base.codeLength, maxLen), 3, maxLen, true),
    nlLength: f.number('nl-length', Math.min(base.nlLength, maxLen), 3, maxLen, true),
    pooling: f.oneOf('pooling', ['pooler', 'cls', 'mean'], base.pooling),
    normalize: f.bool('normalize') || base.normalize,
    scale: f.number('scale', base.scale, 1e-6, 1e6),
    frozenWeightsF16: f.bool('frozen-f16') || base.frozenWeightsF16,
    evalEvery: f.number('eval-every', base.evalEvery, 0, 1e8, true),
    evalBatchSize: f.number('eval-batch-size', base.evalBatchSize, 1, 65535, true),
  };
  try {
    return parseRecipe(raw, model);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.problems.join('; '));
    throw error;
  }
}
