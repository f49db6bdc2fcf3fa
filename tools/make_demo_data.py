#!/usr/bin/env python3
"""The demo's real-code shard: functions with docstrings from the Python standard library, in the CodeXGLUE /
CodeSearchNet JSONL schema, plus the unlabelled text the demo encoder is pre-trained on (tools/pyref/make_demo_model.py).

Source: the CPython standard library of the Python that runs this script (here Python 3.11.7), licensed under the
PSF License Agreement (https://docs.python.org/3/license.html). `original_string` and `code` are the functions
copied verbatim; `url` names the file and lines in CPython's repository at the matching tag.

What is kept, as CodeSearchNet filtered its Python (Husain et al. 2019, §2.1): top-level functions and methods with
a docstring whose first paragraph has 3 to 64 tokens, at least 3 lines, no `test` in the name or path, no dunder
methods; code of at most 160 tokens after the docstring is removed (the demo model reads at most 128). Code tokens
come from Python's own tokenizer (comments, newlines and indentation dropped, the docstring left out);
docstring tokens are the first paragraph split into words and punctuation. Names are **not** normalized (this is
CodeSearchNet's task, not AdvTest's): a newcomer sees the model learn to match words of the query to identifiers.

Splits are by module (file), so no module's functions are in two splits, and the pre-training text comes from the
training modules only: the demo encoder has never seen a validation or test function.

Outputs (public/demo/): train.jsonl, valid.jsonl, test.jsonl (seeded samples of 2,500 / 200 / 200, at most 40
functions of one module per split); and .demo-build/pretrain.txt (ignored by git), one
function per line as `docstring tokens </s> code tokens` (code only when it has no docstring), the bimodal
inputs CodeBERT was pre-trained on.

Run:  python3 tools/make_demo_data.py   (standard library only, a few seconds; deterministic on the same Python)
"""
from __future__ import annotations

import ast
import hashlib
import io
import json
import os
import random
import re
import sys
import tokenize

STDLIB = os.path.dirname(os.__file__)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "public", "demo")
PRETRAIN = os.path.join(ROOT, ".demo-build", "pretrain.txt")
SKIP_DIRS = {"test", "tests", "idle_test", "site-packages", "dist-packages", "lib2to3", "__pycache__", "ensurepip",
             "turtledemo", "idlelib", "pydoc_data", "config-3.11-x86_64-linux-gnu"}
MIN_LINES, MIN_DOC, MAX_DOC, MAX_CODE = 3, 3, 64, 160
SPLITS = (("valid", 8), ("test", 8), ("train", 84))  # percent of modules, by a hash of the module's path
SIZES = {"train": 2500, "valid": 200, "test": 200}  # functions kept per split (a seeded sample, in source order)
PER_MODULE = 40  # at most this many functions of one module per split, so no big module (tkinter) fills a pool
SEED = 20261206
DROP = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER,
        tokenize.ENCODING}
WORD = re.compile(r"\w+|[^\w\s]")


def split_of(path: str) -> str:
    """A stable split per module: sha256 of its path, so adding a file elsewhere never moves one."""
    bucket = int(hashlib.sha256(path.encode()).hexdigest(), 16) % 100
    for name, share in SPLITS:
        if bucket < share:
            return name
        bucket -= share
    raise AssertionError("shares sum to 100")


def code_tokens(source: str, docstring: ast.Constant | None) -> list[str] | None:
    """Python's tokens of a function without its docstring, comments and layout; None if it does not tokenize."""
    skip = (docstring.lineno, docstring.col_offset, docstring.end_lineno, docstring.end_col_offset) if docstring else None
    out = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type in DROP:
                continue
            if skip and tok.type == tokenize.STRING and (tok.start, tok.end) == ((skip[0], skip[1]), (skip[2], skip[3])):
                continue
            out.append(tok.string)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None
    return out


def first_paragraph(doc: str) -> str:
    return " ".join(doc.strip().split("\n\n")[0].split())


def docstring_node(fn: ast.FunctionDef) -> ast.Constant | None:
    first = fn.body[0] if fn.body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        return first.value
    return None


def dedented(text: str, node: ast.FunctionDef) -> str | None:
    """The function's source, moved left so a method parses alone (ast line numbers then refer to it)."""
    lines = text.splitlines(keepends=True)[node.lineno - 1:node.end_lineno]
    indent = node.col_offset
    if any(line.strip() and line[:indent].strip() for line in lines):
        return None
    return "".join(line[indent:] if line.strip() else "\n" for line in lines)


def functions(tree: ast.Module):
    """Top-level functions and methods of top-level classes (CodeSearchNet's functions and methods)."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            yield node
        elif isinstance(node, ast.ClassDef):
            yield from (n for n in node.body if isinstance(n, ast.FunctionDef))


def module_rows(rel: str, text: str):
    tree = ast.parse(text)
    for fn in functions(tree):
        source = dedented(text, fn)
        if source is None or fn.name.startswith("__") or "test" in fn.name.lower():
            continue
        inner = ast.parse(source).body[0]
        doc = docstring_node(inner)
        tokens = code_tokens(source, doc)
        if tokens is None:
            continue
        raw_doc = doc.value if doc else ""
        doc_tokens = WORD.findall(first_paragraph(raw_doc)) if doc else []
        yield {
            "path": rel, "func_name": fn.name, "line": fn.lineno, "end_line": fn.end_lineno, "source": source,
            "code_tokens": tokens, "docstring": raw_doc, "docstring_tokens": doc_tokens,
        }


def modules():
    for root, dirs, files in os.walk(STDLIB):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            rel = os.path.relpath(os.path.join(root, name), STDLIB)
            if not name.endswith(".py") or "test" in rel.lower():
                continue
            try:
                text = open(os.path.join(root, name), encoding="utf-8").read()
                yield rel, text, list(module_rows(rel, text))
            except (SyntaxError, UnicodeDecodeError, ValueError):
                continue


def keep(row: dict) -> bool:
    return (MIN_DOC <= len(row["docstring_tokens"]) <= MAX_DOC and row["source"].count("\n") >= MIN_LINES
            and len(row["code_tokens"]) <= MAX_CODE)


def record(row: dict, idx: int, tag: str) -> dict:
    return {
        "repo": "python/cpython", "path": f"Lib/{row['path']}", "func_name": row["func_name"],
        "original_string": row["source"], "language": "python", "code": row["source"],
        "code_tokens": row["code_tokens"], "docstring": row["docstring"], "docstring_tokens": row["docstring_tokens"],
        "url": f"https://github.com/python/cpython/blob/{tag}/Lib/{row['path']}#L{row['line']}-L{row['end_line']}",
        "idx": idx,
    }


def write_jsonl(path: str, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")


def pretrain_line(row: dict) -> str:
    code = " ".join(row["code_tokens"])
    return f"{' '.join(row['docstring_tokens'])} </s> {code}" if row["docstring_tokens"] else code


def main() -> None:
    tag = "v" + sys.version.split()[0]
    splits: dict[str, list[dict]] = {"train": [], "valid": [], "test": []}
    pretrain: list[str] = []
    for rel, _, rows in modules():
        split = split_of(rel)
        kept = [r for r in rows if keep(r)]
        chosen = sorted(random.Random(f"{SEED}:{rel}").sample(range(len(kept)), min(PER_MODULE, len(kept))))
        splits[split] += [kept[i] for i in chosen]
        if split == "train":
            pretrain += [pretrain_line(r) for r in rows if r["code_tokens"]]
    os.makedirs(OUT, exist_ok=True)
    idx = 0
    for name in ("train", "valid", "test"):
        pool = splits[name]
        chosen = sorted(random.Random(SEED).sample(range(len(pool)), min(SIZES[name], len(pool))))
        rows = [record(pool[i], idx + k, tag) for k, i in enumerate(chosen)]
        idx += len(rows)
        write_jsonl(os.path.join(OUT, f"{name}.jsonl"), rows)
        print(f"{name}: {len(rows)} of {len(pool)} functions, from {len({r['path'] for r in rows})} modules")
    os.makedirs(os.path.dirname(PRETRAIN), exist_ok=True)
    with open(PRETRAIN, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(line.replace("\n", " ") for line in pretrain) + "\n")
    print(f"{PRETRAIN}: {len(pretrain)} functions of the training modules (Python {tag[1:]})")


if __name__ == "__main__":
    main()
