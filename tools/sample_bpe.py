"""A small byte-level BPE trainer (GPT-2 scheme) for the sample vocabulary, and Hugging Face's file formats.

Training: pre-tokenize with the GPT-2 pattern, map bytes to GPT-2's printable symbols, count the chunks, then
repeatedly merge the most frequent adjacent pair (ties: the lexicographically smallest pair), merging every
occurrence left to right. Vocabulary ids: <s> 0, <pad> 1, </s> 2, <unk> 3, the 256 byte symbols in byte order
(4 + byte), then each merge's new symbol in merge order, and <mask> last.
"""
from __future__ import annotations

import json
import os
from collections import Counter, defaultdict

from bpe_reference import bytes_to_unicode, pretokenize

SPECIALS = ("<s>", "<pad>", "</s>", "<unk>")


def merge_word(word: list[str], a: str, b: str) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(word):
        if i + 1 < len(word) and word[i] == a and word[i + 1] == b:
            out.append(a + b)
            i += 2
        else:
            out.append(word[i])
            i += 1
    return out


def train(texts: list[str], vocab_size: int) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Learns merges until the vocabulary (with <mask>) has `vocab_size` entries."""
    byte_encoder = bytes_to_unicode()
    counts: Counter[str] = Counter()
    for text in texts:
        for chunk in pretokenize(text):
            counts["".join(byte_encoder[b] for b in chunk.encode("utf-8"))] += 1
    words = [list(w) for w in counts]
    freqs = list(counts.values())
    pairs: Counter[tuple[str, str]] = Counter()
    where: defaultdict[tuple[str, str], set[int]] = defaultdict(set)
    for i, word in enumerate(words):
        for pair in zip(word, word[1:]):
            pairs[pair] += freqs[i]
            where[pair].add(i)

    vocab = {s: i for i, s in enumerate(SPECIALS)}
    for b in range(256):
        vocab[byte_encoder[b]] = len(vocab)
    merges: list[tuple[str, str]] = []
    while len(vocab) < vocab_size - 1:
        if not pairs:
            raise SystemExit(f"the corpus has too little text for a {vocab_size}-token vocabulary")
        best = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        merges.append(best)
        vocab.setdefault(best[0] + best[1], len(vocab))
        for i in sorted(where.pop(best)):
            old = words[i]
            for pair in zip(old, old[1:]):
                pairs[pair] -= freqs[i]
                if pairs[pair] == 0:
                    del pairs[pair]
            words[i] = merge_word(old, *best)
            for pair in zip(words[i], words[i][1:]):
                pairs[pair] += freqs[i]
                where[pair].add(i)
    vocab["<mask>"] = len(vocab)
    return vocab, merges


def save(model_dir: str, vocab: dict[str, int], merges: list[tuple[str, str]]) -> None:
    """vocab.json as `tokenizers` writes it (one line, ordered by id); merges.txt with its `#version` line."""
    ordered = dict(sorted(vocab.items(), key=lambda kv: kv[1]))
    with open(os.path.join(model_dir, "vocab.json"), "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(ordered, ensure_ascii=False, separators=(",", ":")))
    with open(os.path.join(model_dir, "merges.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges))
