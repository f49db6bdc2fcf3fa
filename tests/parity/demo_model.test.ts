/**
 * The bundled demo (public/demo/): the pre-trained demo encoder is a model transformers loads as it is (no missing
 * or unexpected weights), the lab tokenizes the real-code shard as RobertaTokenizer does and embeds it as
 * RobertaModel does (pooler, within 1e-5, through `lab embed`); the shard is CodeXGLUE-shaped, split by module,
 * and its code tokens leave the docstring out (tools/make_demo_data.py, tools/pyref/make_demo_model.py).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSafeTensors } from '../../src/engine/io/safetensors';
import { configFromHf } from '../../src/engine/model/config';
import { parseRunConfig } from '../../src/engine/train/run_config';
import { METHOD_PRESETS, RECIPE_PRESETS } from '../../src/app/lib/presets';
import { buildInput, tokenizerFromVocabMerges } from '../../src/engine/io/tokenizer';
import { expectClose } from '../helpers/compare';
import { labOk } from '../helpers/lab_cli';
import { reference } from '../helpers/pyref';

const DEMO = 'public/demo';
const MODEL = join(DEMO, 'model');

interface Row {
  readonly path: string;
  readonly func_name: string;
  readonly url: string;
  readonly code: string;
  readonly code_tokens: readonly string[];
  readonly docstring: string;
  readonly docstring_tokens: readonly string[];
}

const split = (name: string): Row[] => readFileSync(join(DEMO, `${name}.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);

describe('the bundled demo', () => {
  const rows = { train: split('train'), valid: split('valid'), test: split('test') };

  it('has real standard-library functions, split by module, with the docstring left out of the code tokens', () => {
    expect([rows.train.length, rows.valid.length, rows.test.length]).toEqual([2500, 200, 200]);
    const modules = Object.values(rows).map((r) => new Set(r.map((x) => x.path)));
    for (let i = 0; i < modules.length; i++) for (let j = i + 1; j < modules.length; j++) expect([...modules[i]!].filter((m) => modules[j]!.has(m))).toEqual([]);
    for (const r of Object.values(rows).flat()) {
      expect(r.url).toMatch(/^https:\/\/github\.com\/python\/cpython\/blob\/v3\.\d+\.\d+\/Lib\/.+\.py#L\d+-L\d+$/);
      expect(r.code).toMatch(new RegExp(`^def ${r.func_name}\\s*\\(`)); // verbatim: the standard library has `def f (x)` too
      expect(r.docstring_tokens.length).toBeGreaterThanOrEqual(3);
      // The docstring is in `code` (as CodeSearchNet keeps it) but none of the code tokens is its literal.
      expect(r.code_tokens.some((t) => t.includes(r.docstring.trim()))).toBe(false);
    }
  });

  it("is the dashboard's demo run: public/demo/quick_run.json = full fine-tuning with the quick recipe", () => {
    const model = configFromHf(JSON.parse(readFileSync(join(MODEL, 'config.json'), 'utf8')));
    const run = parseRunConfig(JSON.parse(readFileSync(join(DEMO, 'quick_run.json'), 'utf8')), model);
    const quick = parseRunConfig({ model: 'demo', dataset: 'train.jsonl', peft: METHOD_PRESETS.find((p) => p.id === 'full')!.peft, recipe: RECIPE_PRESETS.find((p) => p.id === 'quick')!.recipe }, model);
    expect(run).toEqual(quick);
  });

  it('loads in transformers and embeds the shard as RobertaModel does (pooler, 1e-5), tokens as RobertaTokenizer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-demo-'));
    const sample = rows.test.slice(0, 24);
    const texts = sample.flatMap((r) => [r.code_tokens.join(' '), r.docstring_tokens.join(' ')]);
    writeFileSync(join(dir, 'texts.json'), JSON.stringify(texts));
    const want = JSON.parse(reference('tokenize', '--model', MODEL, '--texts', join(dir, 'texts.json'), '--length', '64')) as number[][];
    const vocab = JSON.parse(readFileSync(join(MODEL, 'vocab.json'), 'utf8')) as Record<string, number>;
    const tok = tokenizerFromVocabMerges(vocab, readFileSync(join(MODEL, 'merges.txt'), 'utf8').split('\n'));
    texts.forEach((t, i) => expect([...buildInput(tok, t, 64).ids], t).toEqual(want[i]));

    const data = join(dir, 'pairs.jsonl');
    writeFileSync(data, sample.map((r) => JSON.stringify(r)).join('\n'));
    const lengths = ['--code-length', '64', '--nl-length', '32'];
    reference('embed', '--model', MODEL, '--data', data, ...lengths, '--out', join(dir, 'ref.safetensors'));
    await labOk('embed', '--model', MODEL, '--data', data, ...lengths, '--out', join(dir, 'lab.safetensors'), '--software-gpu');
    const read = (f: string) => readSafeTensors(new Uint8Array(readFileSync(join(dir, f))), f).tensors;
    const [got, ref] = [read('lab.safetensors'), read('ref.safetensors')];
    for (const side of ['code', 'query']) expectClose(got.get(side)!.data as Float32Array, ref.get(side)!.data as Float32Array, { atol: 1e-5, rtol: 0 }, side);
  });
});
