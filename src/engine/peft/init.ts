/**
 * Initial values of the parameters PEFT methods add, seeded, following the libraries the thesis' methods come
 * from: LoRA as peft (A kaiming-uniform = U(±1/√in), B = 0), bottleneck adapters as AdapterHub's "bert" scheme
 * (weights N(0, 0.02), biases 0: close to the identity), prefix rows as peft's nn.Embedding (N(0, 1)), the
 * prefix MLP's linears as torch's default (U(±1/√fan_in) for weights and biases); a classification head as
 * transformers initializes RobertaForSequenceClassification's (weights N(0, 0.02), biases 0).
 */
import { specNumel, type ParamSpec } from '../model/params';
import type { InitRandom } from './module';
import type { PeftPlan } from './plan';
import { isMethodType, moduleOf } from './registry';

export function initializeAdded(plan: PeftPlan, seed: number): Map<string, Float32Array> {
  const rng = new InitRng(seed);
  const out = new Map<string, Float32Array>();
  const byName = new Map(plan.added.map((s) => [s.name, s]));
  // A linear's fan-in is its weight's input size; a bias takes it from its weight.
  const fanIn = (spec: ParamSpec): number => {
    const weight = spec.name.endsWith('.bias') ? byName.get(spec.name.replace(/\.bias$/, '.weight')) : spec;
    return weight?.shape[1] ?? 1;
  };
  for (const spec of plan.added) out.set(spec.name, initial(spec, fanIn(spec), rng));
  return out;
}

/** transformers' initializer_range, which every RoBERTa checkpoint the lab loads uses. */
const HEAD_STD = 0.02;

/** The adding method's rule (the classification head's own); zeros for a parameter nothing claims (none today). */
function initial(spec: ParamSpec, fanIn: number, rng: InitRng): Float32Array {
  if (spec.module === 'classifier') return spec.name.endsWith('.bias') ? new Float32Array(specNumel(spec)) : rng.normal(specNumel(spec), HEAD_STD);
  const module = isMethodType(spec.module) ? moduleOf(spec.module) : null;
  return module?.initial?.(spec, fanIn, rng) ?? new Float32Array(specNumel(spec));
}

/** mulberry32 + Box–Muller: small, seeded, the same in every environment. */
class InitRng implements InitRandom {
  private state: number;
  constructor(seed: number) {
    this.state = (seed ^ 0x5eed1a5) >>> 0 || 1;
  }
  private next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  uniform(n: number, bound: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = (2 * this.next() - 1) * bound;
    return out;
  }
  normal(n: number, std: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = std * Math.sqrt(-2 * Math.log(Math.max(this.next(), 1e-12))) * Math.cos(2 * Math.PI * this.next());
    return out;
  }
}
