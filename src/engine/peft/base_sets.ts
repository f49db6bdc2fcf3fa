/** Which base weights the weight-unfreezing methods select (shared by full, BitFit, LayerNorm-only, Telly, LWO). */
import type { ParamSpec } from '../model/params';

// Only full fine-tuning trains the embeddings (their LayerNorm included) and only full/Telly the pooler.
export const inLayers = (spec: ParamSpec): boolean => spec.location.kind === 'layer';
