/**
 * A workspace for the export parity tests: a tiny save_pretrained model, 40 sample pairs, and the lab CLI and the
 * real libraries run side by side on them (embeddings compared within 1e-5).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafeTensors } from '../../src/engine/io/safetensors';
import { expectClose } from './compare';
import { labOk } from './lab_cli';
import { reference, tinyModels } from './pyref';

export const LENGTHS = ['--code-length', '32', '--nl-length', '16'];

export type Embeddings = Map<string, Float32Array>;

export function embeddings(path: string): Embeddings {
  const file = readSafeTensors(new Uint8Array(readFileSync(path)), path);
  return new Map([...file.tensors].map(([k, t]) => [k, t.data as Float32Array]));
}

export class ParityWorkspace {
  readonly dir: string;
  readonly model: string;
  readonly data: string;

  constructor(prefix: string) {
    this.dir = tinyModels(prefix, { 'pairs.jsonl': ['test.jsonl', 40] });
    this.model = join(this.dir, 'st');
    this.data = join(this.dir, 'pairs.jsonl');
  }

  /** Trains 3 steps of a method (dropout off, a large lr so every trained tensor moves) into <dir>/<name>. */
  async train(name: string, methods: unknown[], extra: string[] = []): Promise<string> {
    const out = join(this.dir, name);
    writeFileSync(join(this.dir, `${name}.json`), JSON.stringify({ methods }));
    await labOk('train', '--model', this.model, '--train', this.data, '--out', out, '--peft-config', join(this.dir, `${name}.json`), '--steps', '3', '--batch-size', '8', '--lr', '0.05', '--dropout', '0', ...LENGTHS, ...extra, '--software-gpu');
    return out;
  }

  /** `lab embed` of a model folder plus an adapter or run folder (none: the bare model). */
  async labEmbed(tag: string, modelDir: string, adapter: string | null): Promise<Embeddings> {
    const out = join(this.dir, `${tag}.lab.safetensors`);
    await labOk('embed', '--model', modelDir, ...(adapter ? ['--adapter', adapter] : []), '--data', this.data, ...LENGTHS, '--out', out, '--software-gpu');
    return embeddings(out);
  }

  /** What the real library computes (`reference.py embed`), and its MRR. */
  refEmbed(tag: string, args: string[]): { emb: Embeddings; mrr: number } {
    const out = join(this.dir, `${tag}.ref.safetensors`);
    const metrics = JSON.parse(reference('embed', '--data', this.data, ...LENGTHS, ...args, '--out', out)) as { mrr: number };
    return { emb: embeddings(out), mrr: metrics.mrr };
  }
}

export function expectSame(got: Embeddings, want: Embeddings, what: string): void {
  expectClose(got.get('code')!, want.get('code')!, { atol: 1e-5, rtol: 0 }, `${what}: code`);
  expectClose(got.get('query')!, want.get('query')!, { atol: 1e-5, rtol: 0 }, `${what}: query`);
}
