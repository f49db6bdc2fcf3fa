#!/usr/bin/env python3
"""The bundled probing set: real functions from the Python standard library, each with three labels of the
kinds Telly's analysis separates (lexical, syntactic, structural), for `lab probe` and the layer analysis.

Source: the CPython standard library installed on the machine that made it (/usr/lib/python3.11, Debian's
python3.11 package), licensed under the PSF License Agreement (https://docs.python.org/3/license.html); the
functions are copied verbatim, with the file and line they come from.

Labels, decided by Python's own parser (ast), never by the lab:
  lexical_string     1 if the body has a string literal other than the docstring (a token-level property)
  syntactic_returns  1 if a `return` with a value belongs to the function itself (not to a nested function)
  structural_deep    1 if compound statements (if/for/while/with/try/match) nest 2 or more levels deep (a loop inside a condition, ...)

Run:  python3 tools/make_probe_sample.py   (standard library only; deterministic: a rerun on the same Python
gives byte-identical public/sample/probe.jsonl)
"""
from __future__ import annotations

import ast
import json
import os
import random
import sys

STDLIB = os.path.dirname(os.__file__)
OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "public", "sample", "probe.jsonl")
SEED = 20261206
COUNT = 600
MIN_LINES, MAX_CHARS = 4, 1200
SKIP_DIRS = {"test", "tests", "idle_test", "site-packages", "dist-packages", "lib2to3", "__pycache__", "ensurepip", "turtledemo"}
COMPOUND = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try, ast.Match)


def own_nodes(fn: ast.AST):
    """The nodes of `fn` without descending into nested functions, classes or lambdas."""
    stack = list(ast.iter_child_nodes(fn))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))


def depth(node: ast.AST) -> int:
    """How deep compound statements nest under `node` (nested functions count as their own scope)."""
    best = 0
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        best = max(best, depth(child) + (1 if isinstance(child, COMPOUND) else 0))
    return best


def labels(fn: ast.FunctionDef) -> dict[str, int]:
    body = fn.body[1:] if ast.get_docstring(fn, clean=False) is not None else fn.body
    strings = any(isinstance(n, ast.Constant) and isinstance(n.value, str) for stmt in body for n in ast.walk(stmt))
    returns = any(isinstance(n, ast.Return) and n.value is not None for n in own_nodes(fn))
    return {"lexical_string": int(strings), "syntactic_returns": int(returns), "structural_deep": int(depth(fn) >= 2)}


def candidates():
    for root, dirs, files in os.walk(STDLIB):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            path = os.path.join(root, name)
            try:
                text = open(path, encoding="utf-8").read()
                tree = ast.parse(text)
            except (SyntaxError, UnicodeDecodeError, ValueError):
                continue
            for node in ast.walk(tree):
                if not isinstance(node, ast.FunctionDef):
                    continue
                source = ast.get_source_segment(text, node)
                if source is None or source.count("\n") + 1 < MIN_LINES or len(source) > MAX_CHARS:
                    continue
                yield {"code": source, "path": os.path.relpath(path, STDLIB), "line": node.lineno, **labels(node)}


def main() -> None:
    pool = sorted(candidates(), key=lambda r: (r["path"], r["line"]))
    rows = random.Random(SEED).sample(pool, COUNT)
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    share = {k: sum(r[k] for r in rows) / COUNT for k in ("lexical_string", "syntactic_returns", "structural_deep")}
    print(f"{OUT}: {COUNT} functions of {len(pool)} (Python {sys.version.split()[0]}); share of label 1: {share}")


if __name__ == "__main__":
    main()
