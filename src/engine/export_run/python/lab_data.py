"""The lab's code-search shards in Python: the same field detection and input building as the lab.

Fields (src/engine/data/fields.ts): code from the first of code_tokens, function_tokens, code, function,
original_string and the query from the first of docstring_tokens, docstring, doc that at least half of the
first records hold (a `*_tokens` field must hold token lists, joined with spaces). Records without usable text
are skipped and counted. Inputs are built as CodeXGLUE's run.py: tokenize, keep length - 2 tokens, wrap in
<s> ... </s>, pad with <pad> to `length`.
"""
from __future__ import annotations

import gzip
import json

CODE_FIELDS = ["code_tokens", "function_tokens", "code", "function", "original_string"]
QUERY_FIELDS = ["docstring_tokens", "docstring", "doc"]
SAMPLE = 32  # records the lab detects fields from (src/engine/data/shard.ts)


def read_records(path: str) -> list:
    if path.endswith(".parquet"):
        import pandas  # optional: only parquet shards need it

        return pandas.read_parquet(path).to_dict("records")
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        text = f.read()
    if text.lstrip().startswith("["):
        return json.loads(text)
    out = []
    for line in text.splitlines():
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                out.append(None)  # counted as skipped, as the lab does
    return out


def _kind(value) -> str | None:
    if isinstance(value, str):
        return "text"
    if isinstance(value, list) and all(isinstance(t, str) for t in value):
        return "tokens"
    return None


def _pick(sample: list, names: list) -> tuple[str, bool] | None:
    for name in names:
        kinds = [_kind(r.get(name)) for r in sample]
        tokens, text = kinds.count("tokens"), kinds.count("text")
        if not sample or 2 * (tokens + text) < len(sample):
            continue
        is_tokens = tokens >= text
        if name.endswith("_tokens") and not is_tokens:
            continue
        return name, is_tokens
    return None


def _text(record: dict, field: str, is_tokens: bool) -> str | None:
    v = record.get(field)
    if is_tokens:
        if not isinstance(v, list) or not all(isinstance(t, str) for t in v):
            return None
        v = " ".join(v)
    elif not isinstance(v, str):
        return None
    return v if v.strip() else None


def examples(path: str) -> tuple[list, list, int]:
    """(codes, queries, skipped) of a shard."""
    records = read_records(path)
    sample = [r for r in records[:SAMPLE] if isinstance(r, dict)]
    code, query = _pick(sample, CODE_FIELDS), _pick(sample, QUERY_FIELDS)
    if code is None or query is None:
        raise ValueError(f"{path}: could not tell which fields hold the code and the query")
    codes, queries, skipped = [], [], 0
    for r in records:
        c = _text(r, *code) if isinstance(r, dict) else None
        q = _text(r, *query) if isinstance(r, dict) else None
        if c is None or q is None:
            skipped += 1
            continue
        codes.append(c)
        queries.append(q)
    return codes, queries, skipped


def build_ids(tokenizer, texts: list, length: int) -> list:
    """CodeXGLUE's convert_examples_to_features: <s> + tokens[:length-2] + </s>, padded to `length`."""
    out = []
    for t in texts:
        toks = [tokenizer.cls_token] + tokenizer.tokenize(t)[: length - 2] + [tokenizer.sep_token]
        ids = tokenizer.convert_tokens_to_ids(toks)
        out.append(ids + [tokenizer.pad_token_id] * (length - len(ids)))
    return out


# --- the lab's epoch order (src/engine/data/split.ts), bit for bit, so a shuffled run sees the same batches ---
_M32 = 0xFFFFFFFF
_EPOCH_DOMAIN = 0x1B873593


def _imul(a: int, b: int) -> int:
    return (a * b) & _M32


def _mix(state: int, value: int) -> int:
    h = (state ^ _imul(value & _M32, 0xCC9E2D51)) & _M32
    h = _imul(h ^ (h >> 16), 0x85EBCA6B)
    h = _imul(h ^ (h >> 13), 0xC2B2AE35)
    return (h ^ (h >> 16)) & _M32


def _mulberry32(state: int):
    s = state & _M32

    def next_float() -> float:
        nonlocal s
        s = (s + 0x6D2B79F5) & _M32
        t = s
        t = _imul(t ^ (t >> 15), t | 1)
        t = (t ^ ((t + _imul(t ^ (t >> 7), t | 61)) & _M32)) & _M32
        return ((t ^ (t >> 14)) & _M32) / 4294967296

    return next_float


def shuffle_indices(n: int, seed: int, epoch: int) -> list:
    """The lab's training order for one epoch: Fisher–Yates driven by mulberry32 from (seed, epoch)."""
    state = _mix(_mix(_EPOCH_DOMAIN, seed & _M32), (seed // 2**32) & _M32)
    rand = _mulberry32(_mix(state, epoch))
    order = list(range(n))
    for i in range(n - 1, 0, -1):
        j = int(rand() * (i + 1))
        order[i], order[j] = order[j], order[i]
    return order
