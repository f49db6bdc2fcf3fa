/**
 * The lab against the real transformers on tiny random RobertaModels written by save_pretrained (safetensors,
 * and pytorch_model.bin with a config.json that omits layer_norm_eps): the same input ids as the library's own
 * tokenizer, and embeddings for every head (pooler, cls, mean; with and without L2) within 1e-5, through the
 * CLI a user runs (`lab embed`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSafeTensors } from '../../src/engine/io/safetensors';
import { tokenizerFromVocabMerges, buildInput } from '../../src/engine/io/tokenizer';
import { expectClose } from '../helpers/compare';
import { labOk } from '../helpers/lab_cli';
import { reference, tinyModels } from '../helpers/pyref';

const LENGTHS = ['--code-length', '32', '--nl-length', '16'];
let dir = '';
let DATA = '';

beforeAll(() => {
  // 40 pairs of the bundled sample: enough to cover padding and truncation, small enough for SwiftShader.
  dir = tinyModels('lab-parity-', { 'pairs.jsonl': ['test.jsonl', 40] });
  DATA = join(dir, 'pairs.jsonl');
});

function tensors(path: string): Map<string, Float32Array> {
  const file = readSafeTensors(new Uint8Array(readFileSync(path)), path);
  return new Map([...file.tensors].map(([k, t]) => [k, t.data as Float32Array]));
}

describe('parity with transformers.RobertaModel', () => {
  it('builds the same input ids as the library tokenizer (unicode, code, <mask> and the other specials inside text)', () => {
    const texts = ['def f(x):\n    return x + 1', 'Get the <mask> of a list', 'a<mask>b <s> c </s>', 'naïve café — 東京 🙂', '   leading and trailing   ', 'x'.repeat(300)];
    writeFileSync(join(dir, 'texts.json'), JSON.stringify(texts));
    const want = JSON.parse(reference('tokenize', '--model', join(dir, 'st'), '--texts', join(dir, 'texts.json'), '--length', '24')) as number[][];
    const vocab = JSON.parse(readFileSync(join(dir, 'st', 'vocab.json'), 'utf8')) as Record<string, number>;
    const tok = tokenizerFromVocabMerges(vocab, readFileSync(join(dir, 'st', 'merges.txt'), 'utf8').split('\n'));
    texts.forEach((t, i) => expect([...buildInput(tok, t, 24).ids], JSON.stringify(t)).toEqual(want[i]));
  });

  // Every head on the safetensors model; on the .bin one (a different reader, a config without layer_norm_eps)
  // the pooler and the normalized mean cover both kinds of head.
  const HEADS: Record<string, [string, boolean][]> = {
    st: ['pooler', 'cls', 'mean'].flatMap((p): [string, boolean][] => [[p, false], [p, true]]),
    bin: [['pooler', false], ['mean', true]],
  };

  it.each(['st', 'bin'])('%s: embeddings for the pooler, cls and mean heads, with and without L2, within 1e-5', async (form) => {
    const model = join(dir, form);
    const want = join(dir, `${form}.ref.safetensors`);
    reference('embed', '--model', model, '--data', DATA, ...LENGTHS, '--pooling', 'all', '--out', want);
    const ref = tensors(want);
    for (const [pooling, l2] of HEADS[form]!) {
      {
        const out = join(dir, `${form}.${pooling}${l2 ? '.l2' : ''}.safetensors`);
        await labOk('embed', '--model', model, '--data', DATA, ...LENGTHS, '--pooling', pooling, ...(l2 ? ['--normalize'] : []), '--out', out, '--software-gpu');
        const got = tensors(out);
        const tag = `${pooling}${l2 ? '.l2' : ''}`;
        expectClose(got.get('code')!, ref.get(`code.${tag}`)!, { atol: 1e-5, rtol: 0 }, `${form} code ${tag}`);
        expectClose(got.get('query')!, ref.get(`query.${tag}`)!, { atol: 1e-5, rtol: 0 }, `${form} query ${tag}`);
      }
    }
  });
});
