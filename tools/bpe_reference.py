#!/usr/bin/env python3
"""Reference byte-level BPE (GPT-2 / RoBERTa), written from the classic GPT-2 `encoder.py` algorithm.

It is the oracle for the lab's tokenizer (src/engine/io/tokenizer.ts runs @huggingface/tokenizers): it shares
no code with that library, and only the pre-tokenizer and byte table with the trainer in tools/make_sample.py.

Run:  python3 tools/bpe_reference.py  (standard library only) — reads public/sample/model/{vocab.json,merges.txt}
and writes tests/fixtures/tokenizer/cases.json. tools/make_sample.py calls it after training the vocabulary.

Python's `re` has no \\p{L} / \\p{N}, so the GPT-2 pattern
    's|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+
is rebuilt with explicit classes: letters and numbers from `unicodedata` (general categories L* and N*, this
Python's Unicode version), whitespace as the Unicode White_Space property (what Rust's and JavaScript's `\\s`
mean, give or take U+0085 and U+FEFF, which the cases avoid). The cases use ASCII plus a few common letters.
"""
from __future__ import annotations

import json
import os
import re
import sys
import unicodedata

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL_DIR = os.path.join(REPO, "public", "sample", "model")
CASES_PATH = os.path.join(REPO, "tests", "fixtures", "tokenizer", "cases.json")

# Unicode White_Space (PropList.txt), the set Rust's regex `\s` matches.
WHITE_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(chr(c) for c in range(0x2000, 0x200B)) + "\u2028\u2029\u202f\u205f\u3000"


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's table: printable bytes map to themselves, the rest to code points from 256 up, in byte order."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


def _class_of(prefix: str) -> str:
    """A regex character-class body listing every code point whose general category starts with `prefix`."""
    ranges: list[tuple[int, int]] = []
    for cp in range(sys.maxunicode + 1):
        if unicodedata.category(chr(cp)).startswith(prefix):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return "".join(f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)


def _escape_class(chars: str) -> str:
    return "".join(f"\\U{ord(c):08x}" for c in chars)


def gpt2_pattern() -> re.Pattern[str]:
    letters, numbers, space = _class_of("L"), _class_of("N"), _escape_class(WHITE_SPACE)
    return re.compile(
        rf"'s|'t|'re|'ve|'m|'ll|'d| ?[{letters}]+| ?[{numbers}]+| ?[^{space}{letters}{numbers}]+"
        rf"|[{space}]+(?![^{space}])|[{space}]+"
    )


_PATTERN: re.Pattern[str] | None = None


def pretokenize(text: str) -> list[str]:
    """The GPT-2 pre-tokenizer: the chunks BPE runs on (before the byte mapping)."""
    global _PATTERN
    if _PATTERN is None:
        _PATTERN = gpt2_pattern()
    return _PATTERN.findall(text)


def get_pairs(word: tuple[str, ...]) -> set[tuple[str, str]]:
    return {(word[i], word[i + 1]) for i in range(len(word) - 1)}


class Encoder:
    """GPT-2's encoder: repeatedly merge the lowest-ranked adjacent pair, every occurrence left to right."""

    def __init__(self, vocab: dict[str, int], merges: list[tuple[str, str]]):
        self.vocab = vocab
        self.bpe_ranks = {pair: i for i, pair in enumerate(merges)}
        self.byte_encoder = bytes_to_unicode()

    def bpe(self, token: str) -> list[str]:
        word = tuple(token)
        pairs = get_pairs(word)
        while pairs:
            bigram = min(pairs, key=lambda p: self.bpe_ranks.get(p, float("inf")))
            if bigram not in self.bpe_ranks:
                break
            first, second = bigram
            merged: list[str] = []
            i = 0
            while i < len(word):
                if i < len(word) - 1 and word[i] == first and word[i + 1] == second:
                    merged.append(first + second)
                    i += 2
                else:
                    merged.append(word[i])
                    i += 1
            word = tuple(merged)
            pairs = get_pairs(word)
        return list(word)

    def tokens(self, text: str) -> list[str]:
        out: list[str] = []
        for chunk in pretokenize(text):
            out.extend(self.bpe("".join(self.byte_encoder[b] for b in chunk.encode("utf-8"))))
        return out

    def encode(self, text: str) -> list[int]:
        return [self.vocab[t] for t in self.tokens(text)]


def load_encoder(model_dir: str = MODEL_DIR) -> Encoder:
    with open(os.path.join(model_dir, "vocab.json"), encoding="utf-8") as f:
        vocab = json.load(f)
    with open(os.path.join(model_dir, "merges.txt"), encoding="utf-8") as f:
        lines = f.read().split("\n")
    if not lines[0].startswith("#version"):
        raise SystemExit("merges.txt must start with a '#version: 0.2' line")
    merges = [(a, b) for a, b in (line.split(" ") for line in lines[1:] if line)]
    return Encoder(vocab, merges)


def build_input(enc: Encoder, text: str, length: int) -> tuple[list[int], bool]:
    """CodeXGLUE run.py: truncate to length-2 tokens, wrap in <s> ... </s>, pad with <pad> to `length`."""
    ids = enc.encode(text)
    kept = ids[: length - 2]
    out = [enc.vocab["<s>"]] + kept + [enc.vocab["</s>"]]
    return out + [enc.vocab["<pad>"]] * (length - len(out)), len(kept) < len(ids)


# Strings the lab meets: joined code_tokens and docstring_tokens, raw code, and the regex's edge cases.
CASE_TEXTS = [
    "def sum_list ( numbers ) : return sum ( numbers )",
    "Return the sum of a list of numbers .",
    "def Func ( arg_0 , arg_1 ) : return arg_0 [ arg_1 ]",
    "with open ( arg_0 , 'r' ) as arg_1 : return json . load ( arg_1 )",
    'def read_config(path):\n    """Read a JSON file."""\n    with open(path) as f:\n        return json.load(f)\n',
    "for i in range(10):\n\tprint(i)",
    "x  =  1     +   2",
    "    ",
    "a \n\n b",
    "trailing spaces   ",
    "   leading spaces",
    "tabs\t\tand\tspaces \t mixed",
    "\r\nwindows\r\nlines",
    "!!!??? ... ,,, ;;; ::",
    "a+=b**2//c!=d<=e>=f->g",
    "{'key': [1, 2, 3], \"other\": (4.5, -6e7)}",
    "It's, they're, we've, I'm, you'll, he'd",
    "IT'S DON'T 'quoted' '' 's",
    "12345678901234567890 3.14159 0x1F 1_000",
    "snake_case_name camelCaseName CONSTANT_NAME __dunder__",
    "http://example.com/path?q=1&r=2#frag",
    "email@example.org user.name+tag@mail.co",
    "naïve café résumé façade",
    "数据 处理 and ünïcödé",
    "Ελληνικά кириллица",
    "emoji 🙂 and symbols © ® ™ °",
    "$%^&*~`|\\@#",
    "returnreturn numbernumbers aaaaaaaa",
    "Return True if the string is a palindrome , False otherwise .",
    "",
]

# (case index, length): padded, truncated, exactly full (9 tokens + 2), empty text, long raw code truncated.
INPUT_CASES = [(0, 24), (1, 6), (1, 11), (29, 4), (2, 40), (4, 16)]


def _rows(items: list[dict]) -> str:
    """One JSON object per line, so the diff of a regenerated file stays readable."""
    return ",\n  ".join(json.dumps(x, ensure_ascii=False) for x in items)


def write_cases(enc: Encoder, path: str = CASES_PATH) -> int:
    cases = [{"text": t, "tokens": enc.tokens(t), "ids": enc.encode(t)} for t in CASE_TEXTS]
    inputs = []
    for index, length in INPUT_CASES:
        ids, truncated = build_input(enc, CASE_TEXTS[index], length)
        inputs.append({"text": CASE_TEXTS[index], "length": length, "ids": ids, "truncated": truncated})
    about = ("Expected ids for public/sample/model/{vocab.json,merges.txt} from tools/bpe_reference.py "
             "(GPT-2 encoder algorithm). Regenerate with: python3 tools/make_sample.py")
    text = f'{{\n "about": {json.dumps(about)},\n "cases": [\n  {_rows(cases)}\n ],\n "inputs": [\n  {_rows(inputs)}\n ]\n}}\n'
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    return len(cases)


if __name__ == "__main__":
    n = write_cases(load_encoder())
    print(f"wrote {n} tokenizer cases to {os.path.relpath(CASES_PATH, REPO)}")
