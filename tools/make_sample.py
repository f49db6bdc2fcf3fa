#!/usr/bin/env python3
"""The bundled sample: a synthetic code-search data set, a tiny byte-level BPE vocabulary and a random demo model.

Run:  python3 tools/make_sample.py        (standard library only; any Python 3.9+)

Writes public/sample/{train,valid,test,test_raw}.jsonl, public/sample/model/{vocab.json,merges.txt,config.json,
model.safetensors} and tests/fixtures/tokenizer/cases.json, then prints a summary. Deterministic: a rerun gives
byte-identical files (one seeded random.Random; nothing depends on hash order).

Data: functions rendered from the templates in sample_behaviors*.py, in the CodeXGLUE AdvTest JSONL schema.
train keeps the names; valid and test are normalized as AdvTest does (function name -> Func, arguments and then
locals -> arg_0, arg_1, ... in order of first appearance, in `code` and `code_tokens`); test_raw.jsonl is the
test split before normalization (same url and idx). As in CodeSearchNet, `code` includes the docstring and
`code_tokens` do not. Each split draws from its own fake repositories, as AdvTest's splits come from different
projects. Nothing generated is ever executed; `ast.parse` checks that it is valid Python.
"""
from __future__ import annotations

import ast
import json
import os
import re
import sys
from dataclasses import dataclass
from random import Random
from string import Template

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bpe_reference  # noqa: E402
import sample_bpe  # noqa: E402
import sample_model  # noqa: E402
from sample_behaviors import NUMBERS, STRINGS, Behavior  # noqa: E402
from sample_behaviors_io import COLLECTIONS, FILES, MISC  # noqa: E402

SEED = 20240611
REPO = bpe_reference.REPO
OUT = os.path.join(REPO, "public", "sample")
BEHAVIORS = NUMBERS + STRINGS + COLLECTIONS + FILES + MISC
# (split, examples, normalized, repositories)
SPLITS = (
    ("train", 2000, False, ("acme/toolbelt", "bytewise/pyutils", "cobalt-labs/dataflow", "driftwood/scripts",
                            "emberline/helpers", "fernhill/common", "granite-io/core", "harbor/etl")),
    ("valid", 200, True, ("juniper/utilkit", "kestrel/pipeline")),
    ("test", 200, True, ("lumen/devtools", "mosaic/backend")),
)
PLACEHOLDER = re.compile(r"\$(?:(\$)|([a-z][a-z0-9]*))")
TOKEN = re.compile(
    r"""(?P<string>(?:[rRbBuU]{1,2})?(?:'[^'\\\n]*(?:\\.[^'\\\n]*)*'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"))"""
    r"|(?P<number>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)|(?P<name>[A-Za-z_]\w*)"
    r"|(?P<op>\*\*=?|//=?|->|<<=?|>>=?|[-+*/%&|^@<>=!:]=|[-+*/%&|^~@<>=()\[\]{}:,.;])|(?P<space>\s+)|(?P<bad>.)"
)


def code_tokens(code: str) -> list[str]:
    """A Python-tokenizer-like split: strings and numbers whole, identifiers, operators; no whitespace."""
    out = []
    for m in TOKEN.finditer(code):
        if m.lastgroup == "bad":
            raise ValueError(f"cannot tokenize {m.group()!r} in:\n{code}")
        if m.lastgroup != "space":
            out.append(m.group())
    return out


def to_double_quotes(code: str) -> str:
    """Rewrites plain single-quoted literals that hold no quote or backslash; prefixed strings stay as they are."""
    def swap(m: re.Match[str]) -> str:
        text = m.group()
        plain = m.lastgroup == "string" and text[0] == "'" and not re.search(r"[\"\\\\]", text[1:-1])
        return f'"{text[1:-1]}"' if plain else text
    return TOKEN.sub(swap, code)


def docstring_tokens(doc: str) -> list[str]:
    return re.findall(r"\w+|[^\w\s]", doc)


@dataclass(frozen=True)
class Function:
    behavior: str
    name: str
    names: tuple[str, ...]  # every identifier the template chose (function, arguments, locals)
    doc: str
    raw: str  # with the docstring
    normalized: str
    raw_tokens: tuple[str, ...]  # without the docstring
    normalized_tokens: tuple[str, ...]


def slots_in(template: str) -> list[str]:
    seen: list[str] = []
    for m in PLACEHOLDER.finditer(template):
        slot = m.group(2)
        if slot and slot not in ("p", "pd") and slot not in seen:
            seen.append(slot)
    return seen


def pool_for(b: Behavior, slot: str) -> tuple[str, ...]:
    if slot == "f":
        return b.names
    return (b.args if slot[0] == "a" else b.locals)[int(slot[1:])]


def pick_names(rng: Random, b: Behavior, slots: list[str], reserved: set[str]) -> dict[str, str]:
    """Distinct names, none equal to an identifier the template already uses (an API, a keyword argument)."""
    for _ in range(200):
        chosen = {s: rng.choice(pool_for(b, s)) for s in slots}
        values = list(chosen.values())
        if len(set(values)) == len(values) and not reserved.intersection(values):
            return chosen
    raise SystemExit(f"behavior {b.key}: cannot pick distinct names for {slots}; widen its name pools")


def signature(b: Behavior, hinted: bool) -> str:
    args = [f"$a{i}" for i in range(len(b.args))]
    if hinted and b.hints:
        arg_hints, ret = b.hints
        return f"def $f({', '.join(f'{a}: {h}' for a, h in zip(args, arg_hints))}) -> {ret}:"
    return f"def $f({', '.join(args)}):"


def render(rng: Random, b: Behavior) -> Function:
    body = rng.choice(b.bodies)
    param = rng.choice(b.params) if b.params else ("", "")
    doc = Template(rng.choice(b.docs)).substitute(pd=param[1])
    hinted = b.hints is not None and rng.random() < 0.4
    double_quotes = rng.random() < 0.5
    template = signature(b, hinted) + "\n" + "\n".join("    " + line for line in body.split("\n"))
    slots = slots_in(template)
    blank = Template(template).substitute({s: " " for s in slots}, p=param[0])
    chosen = pick_names(rng, b, slots, set(re.findall(r"[A-Za-z_]\w*", blank)))
    others = [s for s in slots if s != "f"]
    normal = {"f": "Func", **{s: f"arg_{i}" for i, s in enumerate(others)}}

    def fill(names: dict[str, str]) -> tuple[str, str]:
        code = Template(template).substitute(names, p=param[0])
        if double_quotes:
            code = to_double_quotes(code)
        head, rest = code.split("\n", 1)
        full = f'{head}\n    """{doc}"""\n{rest}\n'
        ast.parse(full)  # syntax check only: generated code is never run
        return full, f"{head}\n{rest}\n"

    raw, raw_code = fill(chosen)
    normalized, normalized_code = fill(normal)
    f = Function(b.key, chosen["f"], tuple(chosen.values()), doc, raw, normalized,
                 tuple(code_tokens(raw_code)), tuple(code_tokens(normalized_code)))
    leaked = set(f.names).intersection(f.normalized_tokens)
    if leaked:
        raise SystemExit(f"behavior {b.key}: normalized code still shows {sorted(leaked)}")
    return f


def behavior_stream(rng: Random):
    """Every behavior once per round, in a fresh order each round: balanced splits."""
    while True:
        order = list(BEHAVIORS)
        rng.shuffle(order)
        yield from order


def make_split(rng: Random, count: int, normalized: bool) -> list[Function]:
    """`count` functions; none repeats the code tokens the model will see (normalized ones for valid/test)."""
    seen: set[tuple[str, ...]] = set()
    out: list[Function] = []
    stream = behavior_stream(rng)
    while len(out) < count:
        b = next(stream)
        for _ in range(30):
            f = render(rng, b)
            key = f.normalized_tokens if normalized else f.raw_tokens
            if key not in seen:
                seen.add(key)
                out.append(f)
                break
    return out


def records(functions: list[Function], repos: tuple[str, ...], first_idx: int, rng: Random) -> tuple[list[dict], list[dict]]:
    """(normalized, raw) AdvTest records; they differ only in `code` and `code_tokens`."""
    lines: dict[tuple[str, str], int] = {}
    normalized, raw = [], []
    for i, f in enumerate(functions):
        repo = rng.choice(repos)
        module = next(b.module for b in BEHAVIORS if b.key == f.behavior)
        path = f"{repo.split('/')[1].replace('-', '_')}/{module}"
        start = lines.get((repo, path), 8)
        end = start + f.raw.count("\n") - 1
        lines[(repo, path)] = end + 3
        base = {"repo": repo, "path": path, "func_name": f.name, "original_string": f.raw, "language": "python"}
        tail = {"docstring": f.doc, "docstring_tokens": docstring_tokens(f.doc),
                "url": f"https://github.com/{repo}/blob/main/{path}#L{start}-L{end}", "idx": first_idx + i}
        raw.append({**base, "code": f.raw, "code_tokens": list(f.raw_tokens), **tail})
        normalized.append({**base, "code": f.normalized, "code_tokens": list(f.normalized_tokens), **tail})
    return normalized, raw


def write_jsonl(path: str, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")


def length_stats(enc: bpe_reference.Encoder, texts: list[str]) -> str:
    n = sorted(len(enc.encode(t)) for t in texts)
    median, p95 = n[len(n) // 2], n[min(len(n) - 1, int(0.95 * len(n)))]
    fit = [100.0 * sum(1 for x in n if x <= length - 2) / len(n) for length in (64, 128)]  # room for <s> and </s>
    return f"median {median}, p95 {p95}, max {n[-1]}; fit in 64: {fit[0]:.0f}%, in 128: {fit[1]:.0f}%"


def main() -> None:
    if len({b.key for b in BEHAVIORS}) != len(BEHAVIORS):
        raise SystemExit("two behaviors share a key")
    rng = Random(SEED)
    os.makedirs(os.path.join(OUT, "model"), exist_ok=True)
    shards: dict[str, list[dict]] = {}
    first_idx = 0
    for split, count, normalized, repos in SPLITS:
        norm_rows, raw_rows = records(make_split(rng, count, normalized), repos, first_idx, rng)
        first_idx += count
        shards[split] = norm_rows if normalized else raw_rows
        if split == "test":
            shards["test_raw"] = raw_rows
    for name, rows in shards.items():
        write_jsonl(os.path.join(OUT, f"{name}.jsonl"), rows)

    corpus = [" ".join(r[k]) for r in shards["train"] for k in ("code_tokens", "docstring_tokens")]
    vocab, merges = sample_bpe.train(corpus, sample_model.VOCAB_SIZE)
    sample_bpe.save(os.path.join(OUT, "model"), vocab, merges)
    params = sample_model.write(os.path.join(OUT, "model"), len(vocab))
    enc = bpe_reference.load_encoder(os.path.join(OUT, "model"))
    cases = bpe_reference.write_cases(enc)

    print(f"behaviors: {len(BEHAVIORS)}; seed {SEED}")
    for name, rows in shards.items():
        size = os.path.getsize(os.path.join(OUT, f"{name}.jsonl"))
        print(f"  {name + '.jsonl':<16} {len(rows):>5} examples  {size / 1024:7.1f} KiB")
    evaluation = shards["valid"] + shards["test"]
    print(f"vocab: {len(vocab)} tokens ({len(merges)} merges); model: {params:,} parameters")
    print(f"code tokens (valid+test): {length_stats(enc, [' '.join(r['code_tokens']) for r in evaluation])}")
    print(f"NL tokens   (valid+test): {length_stats(enc, [' '.join(r['docstring_tokens']) for r in evaluation])}")
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(OUT) for f in fs)
    print(f"public/sample total: {total / 1024:.0f} KiB; tokenizer cases: {cases}")


if __name__ == "__main__":
    main()
