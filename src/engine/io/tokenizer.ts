/**
 * RoBERTa byte-level BPE through @huggingface/tokenizers, and CodeXGLUE's input building. codebert-base ships
 * only vocab.json + merges.txt, so the tokenizer.json the library wants is assembled in memory: BPE with no
 * continuing-subword prefix, ByteLevel pre-tokenizer without a prefix space, RobertaProcessing.
 */
import { Tokenizer } from '@huggingface/tokenizers';

export interface CodeSearchTokenizer {
  /** Tokens per pre-token (word), in order; a pair's truncation counts words (pairCountedLength). */
  wordLengths?(text: string): number[];
  /** One token's text, for labels (the attention view). */
  tokenText?(id: number): string;
  /** Token ids of `text` without special tokens. */
  encode(text: string): number[];
  readonly vocabSize: number;
  /** The largest token id it can produce: it must index the model's embedding table. */
  readonly maxId: number;
  readonly bos: number;
  readonly eos: number;
  readonly pad: number;
}

const SPECIALS = ['<s>', '<pad>', '</s>', '<unk>'] as const;

/** Tokenizer files the lab cannot use (the message says which and why). */
export class TokenizerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenizerError';
  }
}

/** Runs a tokenizer builder; whatever the library throws on a malformed file becomes a TokenizerError. */
function building<T>(what: string, make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (error instanceof TokenizerError) throw error;
    throw new TokenizerError(`${what} cannot be read as a tokenizer (${error instanceof Error ? error.message.slice(0, 200) : String(error)})`);
  }
}

export function tokenizerFromVocabMerges(vocab: Readonly<Record<string, number>>, merges: readonly string[]): CodeSearchTokenizer {
  return building('vocab.json + merges.txt', () => fromVocabMerges(vocab, merges));
}

function fromVocabMerges(vocab: Readonly<Record<string, number>>, merges: readonly string[]): CodeSearchTokenizer {
  if (typeof vocab !== 'object' || vocab === null || Array.isArray(vocab)) throw new TokenizerError('vocab.json must be an object of token → id');
  if (!Array.isArray(merges) || merges.some((m) => typeof m !== 'string')) throw new TokenizerError('merges.txt must be lines of text');
  const missing = SPECIALS.filter((s) => vocab[s] === undefined);
  if (missing.length > 0) throw new TokenizerError(`vocab.json lacks the RoBERTa special tokens ${missing.join(', ')}`);
  const added = [...SPECIALS, '<mask>']
    .filter((content) => vocab[content] !== undefined)
    .map((content) => ({ id: vocab[content]!, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'RobertaProcessing', sep: ['</s>', vocab['</s>']], cls: ['<s>', vocab['<s>']], trim_offsets: true, add_prefix_space: false },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, vocab, merges: merges.filter((m) => m.length > 0 && !m.startsWith('#version')) },
  };
  return wrap(new Tokenizer(json, { add_prefix_space: false }), vocab);
}

/** A full tokenizer.json (e.g. from a model folder that has one). */
export function tokenizerFromJson(json: unknown): CodeSearchTokenizer {
  return building('tokenizer.json', () => {
    const model = (json as { model?: { vocab?: Record<string, number> } } | null)?.model;
    if (!model?.vocab || typeof model.vocab !== 'object') throw new TokenizerError('tokenizer.json has no model.vocab: is it a BPE tokenizer?');
    return wrap(new Tokenizer(json as object, {}), model.vocab);
  });
}

function wrap(t: Tokenizer, vocab: Readonly<Record<string, number>>): CodeSearchTokenizer {
  let maxId = -1;
  for (const [token, id] of Object.entries(vocab)) {
    if (!Number.isInteger(id) || id < 0) throw new TokenizerError(`the vocabulary gives ${JSON.stringify(token.slice(0, 40))} the id ${JSON.stringify(id)}; ids are whole numbers from 0`);
    if (id > maxId) maxId = id;
  }
  return {
    encode: (text) => t.encode(text, { add_special_tokens: false }).ids,
    wordLengths: (text) => wordLengths(t, text),
    tokenText: (id) => t.decode([id], { skip_special_tokens: false }),
    vocabSize: Object.keys(vocab).length,
    maxId,
    bos: vocab['<s>'] ?? 0,
    eos: vocab['</s>'] ?? 2,
    pad: vocab['<pad>'] ?? 1,
  };
}

/**
 * CodeXGLUE's run.py: tokenize, keep the first length−2 tokens, wrap in <s> … </s>, pad with <pad> to length.
 * Returns the ids and whether the text was truncated.
 */
export function buildInput(tok: CodeSearchTokenizer, text: string, length: number): { ids: Uint32Array; truncated: boolean } {
  const need = Math.max(0, length - 2);
  const lead = leadingTokens(tok, text, need);
  const pieces = lead.ids;
  const kept = pieces.slice(0, need);
  const ids = new Uint32Array(length).fill(tok.pad);
  ids[0] = tok.bos;
  ids.set(kept, 1);
  ids[kept.length + 1] = tok.eos;
  return { ids, truncated: pieces.length > kept.length || !lead.whole };
}

/** Tokens per pre-token (word) of `text`, in order: added tokens (`<s>`, `<mask>`, ...) split out first, one token each. */
function wordLengths(t: Tokenizer, text: string): number[] {
  const pre = t.pre_tokenizer;
  const model = t.model;
  if (!pre || !model) return [t.encode(text, { add_special_tokens: false }).ids.length];
  const out: number[] = [];
  for (const part of text.split(ADDED_TOKENS)) {
    if (part === '') continue;
    if (SPECIALS_IN_TEXT.has(part)) out.push(1);
    else for (const piece of pre.pre_tokenize(part)) out.push(model.encode([piece]).length);
  }
  return out;
}

const SPECIALS_IN_TEXT = new Set(['<s>', '</s>', '<pad>', '<unk>', '<mask>']);
const ADDED_TOKENS = /(<s>|<\/s>|<pad>|<unk>|<mask>)/;

/**
 * The length transformers' tokenizer (tokenizers ≥ 0.23) gives a text when a pair is truncated to `length`: it
 * stops tokenizing at the first word that brings the count to `length`, so a long text counts as that many, not
 * its full length (which decides which text keeps the odd token). Exact for texts of any size: the prefix grows
 * until the count is reached or the text is whole.
 */
export function pairCountedLength(tok: CodeSearchTokenizer, text: string, length: number): number {
  if (!tok.wordLengths) return Math.min(tok.encode(text).length, length);
  for (let chars = Math.max(1024, (length + PREFIX_MARGIN) * 16); ; chars *= 4) {
    const whole = chars >= text.length;
    const words = tok.wordLengths(whole ? text : text.slice(0, chars));
    let count = 0;
    // The prefix's last word may be cut: only the words before it are trusted unless the text is whole.
    for (let i = 0; i < words.length - (whole ? 0 : 1); i++) {
      count += words[i]!;
      if (count >= length) return count;
    }
    if (whole) return count;
  }
}

/**
 * RoBERTa's pair input `<s> a </s></s> b </s>`, padded to `length`, truncated as transformers' tokenizer does
 * (`truncation=True`: longest_first, tokenizers' rule on the lengths of pairCountedLength) — checked token for
 * token against transformers in tests/parity/pair_input.test.ts.
 */
export function buildPairInput(tok: CodeSearchTokenizer, a: string, b: string, length: number): { ids: Uint32Array; truncated: boolean } {
  if (length < 4) throw new RangeError(`a pair input needs at least 4 positions for its special tokens, got ${length}`);
  const first = leadingTokens(tok, a, length);
  const second = leadingTokens(tok, b, length);
  const [na, nb] = pairLengths(pairCountedLength(tok, a, length), pairCountedLength(tok, b, length), length).map((n, i) => Math.min(n, (i === 0 ? first : second).ids.length)) as [number, number];
  const ids = new Uint32Array(length).fill(tok.pad);
  ids[0] = tok.bos;
  ids.set(first.ids.slice(0, na), 1);
  ids.set([tok.eos, tok.eos], na + 1);
  ids.set(second.ids.slice(0, nb), na + 3);
  ids[na + nb + 3] = tok.eos;
  // A text known only by a prefix has at least `length` tokens, more than it keeps: it counts as cut too.
  return { ids, truncated: na < first.ids.length || nb < second.ids.length };
}

/**
 * Tokens kept of each text of a pair counted `a` and `b` tokens in `length` positions (4 go to the special
 * tokens), by tokenizers' longest_first: the shorter keeps its tokens if the longer can take the rest, else both
 * get half the room, the odd token going to the longer (the second on a tie).
 */
export function pairLengths(a: number, b: number, length: number): [number, number] {
  const room = Math.max(0, length - 4);
  if (a + b <= room) return [a, b];
  const swap = a > b;
  let n1 = swap ? b : a;
  let n2 = n1 > room ? n1 : Math.max(n1, room - n1);
  if (n1 + n2 > room) {
    n1 = Math.floor(room / 2);
    n2 = n1 + (room % 2);
  }
  return swap ? [n2, n1] : [n1, n2];
}

/** Tokens past `need` a prefix must yield before its first `need` are trusted (a cut inside a word changes only its last tokens). */
const PREFIX_MARGIN = 64;

/**
 * The first `need` tokens of `text` exactly as tokenizing all of it would give them, from a prefix: the prefix
 * grows ×4 from 16 characters a token until it yields `need` + a margin or is the whole text, and ends before a
 * whitespace where it can (a word is then never cut). A 60 MB record costs what its first kilobytes cost; a
 * whole text's tokens are all returned (`whole`).
 */
export function leadingTokens(tok: CodeSearchTokenizer, text: string, need: number): { ids: number[]; whole: boolean } {
  for (let chars = Math.max(1024, (need + PREFIX_MARGIN) * 16); ; chars *= 4) {
    if (chars >= text.length) return { ids: tok.encode(text), whole: true };
    const space = text.lastIndexOf(' ', chars);
    const cut = space > chars / 2 ? space : chars;
    const ids = tok.encode(text.slice(0, cut));
    if (ids.length >= need + PREFIX_MARGIN) return { ids, whole: false };
  }
}

/** A text's token count, or `cap` for anything longer (for length statistics, which bin long texts together). */
export function tokenCount(tok: CodeSearchTokenizer, text: string, cap: number): number {
  return Math.min(leadingTokens(tok, text, cap).ids.length, cap);
}

/**
 * Why this tokenizer cannot feed this model, or null: an id past the embedding table would read outside it on
 * the GPU, and special tokens other than the config's would pad and mask the wrong positions.
 */
export function tokenizerMismatch(tok: CodeSearchTokenizer, config: { readonly vocabSize: number; readonly padTokenId: number; readonly bosTokenId: number; readonly eosTokenId: number }): string | null {
  if (tok.maxId >= config.vocabSize) return `the tokenizer has token id ${tok.maxId}, but config.json's vocab_size is ${config.vocabSize}: the tokenizer files belong to another model`;
  const specials: [string, number, string, number][] = [
    ['<pad>', tok.pad, 'pad_token_id', config.padTokenId],
    ['<s>', tok.bos, 'bos_token_id', config.bosTokenId],
    ['</s>', tok.eos, 'eos_token_id', config.eosTokenId],
  ];
  for (const [token, id, key, want] of specials) {
    if (id !== want) return `the tokenizer's ${token} is id ${id}, but config.json's ${key} is ${want}: the tokenizer files belong to another model`;
  }
  return null;
}
