#!/usr/bin/env python3
"""The PyTorch side of the WebGPU-vs-PyTorch comparison: the same training step, kernels and evaluation on
the same GPU, in plain torch (no transformers or peft needed).

  python3 tools/bench_pytorch.py --from webgpu.json --json torch.json      # same model, recipe and methods
  npm run bench -- --compare webgpu.json torch.json                        # ratios
  /usr/bin/python3 tools/bench_pytorch.py --device cpu --quick             # smoke check without a GPU

The JSON report goes to stdout (and to --json FILE); progress and a one-line-per-method summary to stderr.

The model is Hugging Face RoBERTa in eager mode written as torch modules (post-LN layers, erf GELU, pooler
tanh(dense(h[<s>])), additive finfo.min padding mask); LoRA computes peft's y = Wx + b + B(A(dropout(x)))·s;
bottleneck adapters, prefix rows (plain or peft's MLP), BitFit, Telly and LWO follow docs/PEFT_CONFIG.md. The
step is the lab's: code and query through the same encoder, in-batch cross-entropy, backward, grad-norm
clipping, AdamW (eps 1e-8, no decay on biases and LayerNorm weights), loss.item() to synchronize.
It needs nothing but torch so it runs on a bare GPU machine; the parity tests check the same math against
transformers + peft (tools/pyref/make_golden.py).

Precisions, each its own run: fp32 (TF32 off for matmuls and cuDNN), tf32 (TF32 on), bf16 (autocast to
bfloat16, TF32 on for what stays fp32). Peak memory is torch.cuda.max_memory_allocated (null on CPU). Step
times are wall-clock per step after synchronization; kernel times CUDA events (CPU: perf_counter).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import math
import platform
import re
import statistics
import sys
import time
from datetime import datetime, timezone

import torch
import torch.nn as nn
import torch.nn.functional as F

SITES = {"query": "attention.self.query", "key": "attention.self.key", "value": "attention.self.value",
         "attention.output.dense": "attention.output.dense", "intermediate.dense": "intermediate.dense",
         "output.dense": "output.dense"}
ACTS = {"relu": F.relu, "gelu": F.gelu, "swish": F.silu}
CODEBERT = dict(vocabSize=50265, hidden=768, layers=12, heads=12, intermediate=3072, maxPositions=514,
                typeVocabSize=1, layerNormEps=1e-5, padTokenId=1, bosTokenId=0, eosTokenId=2)
TINY = dict(CODEBERT, vocabSize=50, hidden=32, layers=2, heads=4, intermediate=48, maxPositions=24)
RECIPE = dict(batchSize=16, codeLength=256, nlLength=128, hiddenDropout=0.1, attentionDropout=0.1, evalBatchSize=64)
QUICK_RECIPE = dict(RECIPE, batchSize=4, codeLength=16, nlLength=8, evalBatchSize=4)


def bench_methods(quick: bool) -> list[tuple[str, dict]]:
    """Mirror of src/bench/methods.ts (--from takes them from a WebGPU report instead)."""
    r = 4 if quick else 64
    lora = {"type": "lora", "r": r, "alpha": 2 * r, "dropout": 0, "targets": ["query", "value"]}

    def ad(placement: str, n: int) -> dict:
        return {"type": "adapter", "placement": placement, "size": 8 if quick else n, "activation": "relu"}

    return [("full", {"methods": [{"type": "full"}]}), ("lora", {"methods": [lora]}),
            ("adapter-h", {"methods": [ad("houlsby", 64)]}), ("adapter-ffn", {"methods": [ad("ffn", 512)]}),
            ("prefix", {"methods": [{"type": "prefix", "length": 2 if quick else 50}]}),
            ("loff", {"methods": [lora, ad("ffn", 384)]}), ("bitfit", {"methods": [{"type": "bitfit"}]}),
            ("telly", {"methods": [{"type": "telly", "k": 1 if quick else 6}]}),
            ("lwo", {"methods": [{"type": "lwo", "group": 1 if quick else 3, "schedule": "top-down", "phaseSteps": 1}]})]


# ---------------------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------------------
class LoraLinear(nn.Module):
    """peft's LoRA Linear: base(x) + lora_B(lora_A(dropout(x))) * scaling (A kaiming-uniform, B zeros)."""

    def __init__(self, base: nn.Linear, m: dict):
        super().__init__()
        self.base = base
        self.lora_A = nn.Linear(base.in_features, m["r"], bias=False)
        self.lora_B = nn.Linear(m["r"], base.out_features, bias=False)
        nn.init.kaiming_uniform_(self.lora_A.weight, a=math.sqrt(5))
        nn.init.zeros_(self.lora_B.weight)
        self.drop = nn.Dropout(m.get("dropout", 0))
        self.scaling = m.get("alpha", 8) / (math.sqrt(m["r"]) if m.get("rslora") else m["r"])

    def forward(self, x):
        return self.base(x) + self.lora_B(self.lora_A(self.drop(x))) * self.scaling


class Adapter(nn.Module):
    def __init__(self, c: int, m: dict):
        super().__init__()
        self.down, self.up, self.act = nn.Linear(c, m["size"]), nn.Linear(m["size"], c), ACTS[m.get("activation", "relu")]
        for lin in (self.down, self.up):
            nn.init.normal_(lin.weight, std=0.02)
            nn.init.zeros_(lin.bias)

    def forward(self, y):
        return y + self.up(self.act(self.down(y)))


class Layer(nn.Module):
    def __init__(self, cfg: dict, p_drop: float, a_drop: float):
        super().__init__()
        c, i = cfg["hidden"], cfg["intermediate"]
        self.h, self.eps = cfg["heads"], cfg["layerNormEps"]
        self.query, self.key, self.value, self.attn_out = (nn.Linear(c, c) for _ in range(4))
        self.ln1, self.ln2 = nn.LayerNorm(c, eps=self.eps), nn.LayerNorm(c, eps=self.eps)
        self.inter, self.out = nn.Linear(c, i), nn.Linear(i, c)
        self.drop, self.attn_drop = nn.Dropout(p_drop), nn.Dropout(a_drop)
        self.attn_adapter: nn.Module = nn.Identity()
        self.ffn_adapter: nn.Module = nn.Identity()

    def forward(self, x, ext, prefix):
        b, t, c = x.shape
        heads = lambda z: z.view(z.shape[0], z.shape[1], self.h, c // self.h).transpose(1, 2)
        q, k, v = heads(self.query(x)), heads(self.key(x)), heads(self.value(x))
        if prefix is not None:
            pk, pv = (heads(z.unsqueeze(0)).expand(b, -1, -1, -1) for z in prefix)
            k, v = torch.cat([pk, k], 2), torch.cat([pv, v], 2)
        probs = self.attn_drop(torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(c // self.h) + ext, -1))
        ctx = (probs @ v).transpose(1, 2).reshape(b, t, c)
        h1 = self.ln1(x + self.attn_adapter(self.drop(self.attn_out(ctx))))
        return self.ln2(h1 + self.ffn_adapter(self.drop(self.out(F.gelu(self.inter(h1))))))


class Encoder(nn.Module):
    """RoBERTa + pooler with the lab's PEFT modules attached by `attach`."""

    def __init__(self, cfg: dict, recipe: dict):
        super().__init__()
        self.cfg, c = cfg, cfg["hidden"]
        self.word = nn.Embedding(cfg["vocabSize"], c, padding_idx=cfg["padTokenId"])
        self.pos = nn.Embedding(cfg["maxPositions"], c, padding_idx=cfg["padTokenId"])
        self.tt = nn.Embedding(cfg["typeVocabSize"], c)
        self.ln = nn.LayerNorm(c, eps=cfg["layerNormEps"])
        self.drop = nn.Dropout(recipe["hiddenDropout"])
        self.layers = nn.ModuleList(Layer(cfg, recipe["hiddenDropout"], recipe["attentionDropout"]) for _ in range(cfg["layers"]))
        self.pooler = nn.Linear(c, c)
        self.prefix: nn.ParameterDict | None = None
        self.prefix_mlp: nn.Module | None = None
        self.prefix_len = 0
        for name, p in self.named_parameters():
            if name.endswith("bias"):
                nn.init.zeros_(p)
            elif "ln" in name.split(".")[-2] or name.startswith("ln"):
                nn.init.ones_(p)
            else:
                nn.init.normal_(p, std=0.02)

    def prefix_rows(self):
        if self.prefix_mlp is not None:
            rows = self.prefix_mlp(self.prefix["embedding"])  # (P, 2·L·C): layer l key = block 2l, value 2l+1
            c = self.cfg["hidden"]
            return [(rows[:, 2 * l * c:(2 * l + 1) * c], rows[:, (2 * l + 1) * c:(2 * l + 2) * c]) for l in range(len(self.layers))]
        if self.prefix is not None:
            return [(self.prefix[f"k{l}"], self.prefix[f"v{l}"]) if f"k{l}" in self.prefix else None for l in range(len(self.layers))]
        return [None] * len(self.layers)

    def forward(self, ids):
        pad = self.cfg["padTokenId"]
        mask = (ids != pad).long()
        pos = (torch.cumsum(mask, 1) + self.prefix_len) * mask + pad
        x = self.drop(self.ln(self.word(ids) + self.pos(pos) + self.tt(torch.zeros_like(ids))))
        m = mask.to(x.dtype)
        if self.prefix_len:
            m = torch.cat([torch.ones(ids.shape[0], self.prefix_len, dtype=x.dtype, device=ids.device), m], 1)
        ext = (1.0 - m[:, None, None, :]) * torch.finfo(x.dtype).min
        for layer, rows in zip(self.layers, self.prefix_rows()):
            x = layer(x, ext if rows is not None else ext[..., self.prefix_len:], rows)
        return torch.tanh(self.pooler(x[:, 0]))


def layers_of(m: dict, peft: dict, n: int) -> list[int]:
    ls = m.get("layers", peft.get("layers"))
    return list(range(n)) if ls is None else list(ls)


def attach(model: Encoder, peft: dict) -> None:
    """Adds the PEFT modules; `trainable` decides what trains."""
    n, c = len(model.layers), model.cfg["hidden"]
    attr = {"attention.self.query": "query", "attention.self.key": "key", "attention.self.value": "value",
            "attention.output.dense": "attn_out", "intermediate.dense": "inter", "output.dense": "out"}
    for m in peft["methods"]:
        if m["type"] == "lora":
            for l in layers_of(m, peft, n):
                for target in m["targets"]:
                    q = re.fullmatch(r"layer\.(\d+)\.(.+)", target)
                    if q and int(q.group(1)) != l:
                        continue
                    site = attr[SITES.get(q.group(2) if q else target, q.group(2) if q else target)]
                    setattr(model.layers[l], site, LoraLinear(getattr(model.layers[l], site), m))
        elif m["type"] == "adapter":
            for l in layers_of(m, peft, n):
                if m["placement"] in ("houlsby", "attn"):
                    model.layers[l].attn_adapter = Adapter(c, m)
                if m["placement"] in ("houlsby", "ffn"):
                    model.layers[l].ffn_adapter = Adapter(c, m)
        elif m["type"] == "prefix":
            p = m["length"]
            model.prefix_len = p
            if m.get("projection"):
                h = m["projection"]["hidden"]
                model.prefix = nn.ParameterDict({"embedding": nn.Parameter(torch.randn(p, c))})
                model.prefix_mlp = nn.Sequential(nn.Linear(c, h), nn.Tanh(), nn.Linear(h, 2 * n * c))
            else:
                model.prefix = nn.ParameterDict({f"{kv}{l}": nn.Parameter(0.02 * torch.randn(p, c))
                                                 for l in layers_of(m, peft, n) for kv in "kv"})


def lwo_active(m: dict, n: int, step: int, seed: int) -> list[int]:
    """Mirror of src/engine/peft/lwo.ts lwoActiveLayers."""
    groups = math.ceil(n / m["group"])
    phase = step // m["phaseSteps"]
    cycle, slot = divmod(phase, groups)
    if m["schedule"] == "bottom-up":
        g = slot
    elif m["schedule"] == "top-down":
        g = groups - 1 - slot
    else:
        order, s = list(range(groups)), (seed ^ ((cycle + 1) * 0x9E3779B9)) & 0xFFFFFFFF
        for i in range(groups - 1, 0, -1):
            s = (s * 1664525 + 1013904223) & 0xFFFFFFFF
            j = s % (i + 1)
            order[i], order[j] = order[j], order[i]
        g = order[slot]
    return list(range(g * m["group"], min(n, (g + 1) * m["group"])))


def trainable(model: Encoder, peft: dict, step: int, seed: int) -> None:
    """Sets requires_grad as the lab's planPeft does (LWO: only the active group at this step)."""
    types = {m["type"]: m for m in peft["methods"]}
    train_pooler = peft.get("trainPooler", False) or "full" in types or "telly" in types
    for name, p in model.named_parameters():
        q = re.match(r"layers\.(\d+)\.", name)
        layer = int(q.group(1)) if q else None
        added = any(k in name for k in ("lora_", "adapter", "prefix"))
        on = added or (name.startswith("pooler") and train_pooler) or "full" in types
        on |= layer is not None and "bitfit" in types and name.endswith("bias") and "lora_" not in name
        on |= layer is not None and "layernorm" in types and ".ln" in name
        on |= layer is not None and "telly" in types and layer >= types["telly"]["k"]
        if "lwo" in types and layer is not None and not added:
            on = layer in lwo_active(types["lwo"], len(model.layers), step, seed)
        p.requires_grad_(on)


# ---------------------------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------------------------
def sync(dev: torch.device) -> None:
    if dev.type == "cuda":
        torch.cuda.synchronize()


def precision_ctx(precision: str, dev: torch.device):
    if dev.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = precision != "fp32"
        torch.backends.cudnn.allow_tf32 = precision != "fp32"
    if precision == "bf16":
        return torch.autocast(dev.type, dtype=torch.bfloat16)
    return contextlib.nullcontext()


def random_ids(cfg: dict, b: int, t: int, dev: torch.device, gen: torch.Generator) -> torch.Tensor:
    first = max(cfg["bosTokenId"], cfg["eosTokenId"], cfg["padTokenId"]) + 1
    ids = torch.randint(first, cfg["vocabSize"], (b, t), generator=gen)
    ids[:, 0], ids[:, -1] = cfg["bosTokenId"], cfg["eosTokenId"]
    return ids.to(dev)


def peak_bytes(dev: torch.device):
    return torch.cuda.max_memory_allocated() if dev.type == "cuda" else None


def reset_peak(dev: torch.device) -> None:
    if dev.type == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()


def bench_step(name: str, peft: dict, cfg: dict, recipe: dict, args, dev, precision: str) -> dict:
    reset_peak(dev)
    torch.manual_seed(1234)
    model = Encoder(cfg, recipe)
    attach(model, peft)
    model.to(dev).train()
    trainable(model, peft, 0, args.seed)
    # The recipe's weight decay is 0 (DEFAULT_RECIPE), so one group; frozen parameters never get a grad.
    opt = torch.optim.AdamW(model.parameters(), lr=1e-5, eps=1e-8, weight_decay=recipe.get("weightDecay", 0.0))
    gen = torch.Generator().manual_seed(1)
    batches = [(random_ids(cfg, recipe["batchSize"], recipe["codeLength"], dev, gen),
                random_ids(cfg, recipe["batchSize"], recipe["nlLength"], dev, gen)) for _ in range(4)]
    lwo = any(m["type"] == "lwo" for m in peft["methods"])
    times, loss, ever = [], float("nan"), set()  # ever: what trained at some step (LWO moves between groups)
    for step in range(args.warmup + args.steps):
        if lwo:
            trainable(model, peft, step, args.seed)
        ever.update(n for n, p in model.named_parameters() if p.requires_grad)
        code, nl = batches[step % 4]
        sync(dev)
        t0 = time.perf_counter()
        with precision_ctx(precision, dev):
            scores = model(nl) @ model(code).t()
            out = F.cross_entropy(scores.float(), torch.arange(scores.shape[0], device=dev))
        opt.zero_grad(set_to_none=True)
        out.backward()
        torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.grad is not None], 1.0)
        opt.step()
        loss = out.item()
        sync(dev)
        if step >= args.warmup:
            times.append(1000 * (time.perf_counter() - t0))
    result = {"method": name, "peft": peft, "trainableParams": sum(p.numel() for n, p in model.named_parameters() if n in ever),
              "ms": statistics.median(times), "minMs": min(times), "meanMs": statistics.fmean(times), "steps": len(times),
              "peakBytes": peak_bytes(dev), "lastLoss": loss}
    del model, opt
    return result


def bench_eval(cfg: dict, recipe: dict, peft: dict, args, dev, precision: str) -> dict:
    """Embed n codes and n queries in eval batches, score every query against every code, rank (ties count against)."""
    reset_peak(dev)
    torch.manual_seed(1234)
    model = Encoder(cfg, recipe)
    attach(model, peft)
    model.to(dev).eval()
    gen = torch.Generator().manual_seed(3)
    n, bs = args.eval_examples, recipe["evalBatchSize"]
    code, nl = random_ids(cfg, n, recipe["codeLength"], dev, gen), random_ids(cfg, n, recipe["nlLength"], dev, gen)

    def run(k: int) -> None:
        with torch.no_grad(), precision_ctx(precision, dev):
            c = torch.cat([model(code[i:i + bs]).float() for i in range(0, k, bs)])
            for i in range(0, k, bs):
                q = model(nl[i:i + bs]).float()
                s = q @ c.t()
                diag = s[torch.arange(q.shape[0]), torch.arange(i, i + q.shape[0])]
                (s >= diag[:, None]).sum(1).cpu()

    run(min(n, bs))
    sync(dev)
    t0 = time.perf_counter()
    run(n)
    sync(dev)
    seconds = time.perf_counter() - t0
    return {"examples": n, "batchSize": bs, "seconds": seconds, "sequencesPerSecond": 2 * n / seconds, "peakBytes": peak_bytes(dev)}


def base_params(cfg: dict) -> int:
    """RoBERTa's parameter count (124,645,632 for codebert-base): AdamW's kernel case updates all of them."""
    c, i, layers = cfg["hidden"], cfg["intermediate"], cfg["layers"]
    emb = (cfg["vocabSize"] + cfg["maxPositions"] + cfg["typeVocabSize"]) * c + 2 * c
    layer = 4 * (c * c + c) + (i * c + i) + (c * i + c) + 4 * c
    return emb + layers * layer + c * c + c


def time_fn(fn, dev, warmup: int, reps: int) -> float:
    """Median ms per call; each repetition runs enough calls for ~2 ms."""
    for _ in range(warmup):
        fn()
    sync(dev)
    t0 = time.perf_counter()
    fn()
    sync(dev)
    inner = max(1, min(50, round(2e-3 / max(time.perf_counter() - t0, 1e-6))))
    out = []
    for _ in range(reps):
        if dev.type == "cuda":
            a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            a.record()
            for _ in range(inner):
                fn()
            b.record()
            torch.cuda.synchronize()
            out.append(a.elapsed_time(b) / inner)
        else:
            t0 = time.perf_counter()
            for _ in range(inner):
                fn()
            out.append(1000 * (time.perf_counter() - t0) / inner)
    return statistics.median(out)


def kernel_cases(cfg: dict, recipe: dict, rank: int, dev) -> list[tuple[str, object]]:
    """The ids of src/bench/kernels.ts, as the same math in torch."""
    b, t, c, i, h = recipe["batchSize"], recipe["codeLength"], cfg["hidden"], cfg["intermediate"], cfg["heads"]
    rows, d, p = b * t, c // h, recipe["attentionDropout"]
    r = lambda *s, g=False: (0.1 * torch.rand(*s, device=dev) - 0.05).requires_grad_(g)
    cases = []
    for n_in, n_out in ((c, c), (c, i), (i, c)):
        x, w, bias, dy, dw = r(rows, n_in), r(n_out, n_in), r(n_out), r(rows, n_out), r(n_out, n_in)
        cases += [(f"linear_fwd:{rows}x{n_out}x{n_in}", lambda x=x, w=w, bias=bias: F.linear(x, w, bias)),
                  (f"linear_dx:{rows}x{n_in}x{n_out}", lambda dy=dy, w=w: dy @ w),
                  (f"linear_dw:{n_out}x{n_in}x{rows}", lambda dw=dw, dy=dy, x=x: dw.addmm_(dy.t(), x))]
    q, k, v = (r(b, h, t, d, g=True) for _ in range(3))
    attn = lambda: F.dropout(torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d), -1), p) @ v
    out = attn()
    cases += [(f"attention_fwd:{b}x{h}x{t}x{d}", attn),
              (f"attention_bwd:{b}x{h}x{t}x{d}", lambda: torch.autograd.grad(out, (q, k, v), torch.ones_like(out), retain_graph=True))]
    x, wl, bl = r(rows, c, g=True), torch.ones(c, device=dev, requires_grad=True), r(c, g=True)
    ln = F.layer_norm(x, (c,), wl, bl, cfg["layerNormEps"])
    xi = r(rows, i, g=True)
    ge = F.gelu(xi)
    cases += [(f"layernorm_fwd:{rows}x{c}", lambda: F.layer_norm(x, (c,), wl, bl, cfg["layerNormEps"])),
              (f"layernorm_bwd:{rows}x{c}", lambda: torch.autograd.grad(ln, (x, wl, bl), torch.ones_like(ln), retain_graph=True)),
              (f"gelu_fwd:{rows}x{i}", lambda: F.gelu(xi)),
              (f"gelu_bwd:{rows}x{i}", lambda: torch.autograd.grad(ge, xi, torch.ones_like(ge), retain_graph=True)),
              (f"dropout_fwd:{rows}x{c}", lambda: F.dropout(x, max(p, 0.1)))]
    a, bb, y = r(rank, c, g=True), r(c, rank, g=True), r(rows, c)
    lo = y + F.linear(F.linear(x, a), bb) * 2
    cases += [(f"lora_fwd:{rows}x{c}x{rank}", lambda: y + F.linear(F.linear(x, a), bb) * 2),
              (f"lora_bwd:{rows}x{c}x{rank}", lambda: torch.autograd.grad(lo, (x, a, bb), torch.ones_like(lo), retain_graph=True))]
    n = base_params(cfg)
    flat = torch.nn.Parameter(r(n))
    flat.grad = r(n)
    opt = torch.optim.AdamW([flat], lr=1e-5, eps=1e-8, weight_decay=0.01)
    ids, wte, wpe = torch.randint(3, cfg["vocabSize"], (rows,), device=dev), r(cfg["vocabSize"], c), r(cfg["maxPositions"], c)
    pos, wtt = torch.randint(0, cfg["maxPositions"], (rows,), device=dev), r(1, c)
    cases += [(f"adamw:{n}", opt.step), (f"embedding_fwd:{rows}x{c}", lambda: wte[ids] + wpe[pos] + wtt[0])]
    return cases


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--quick", action="store_true", help="tiny model and short sequences (a smoke test)")
    ap.add_argument("--from", dest="from_file", help="take model, recipe and methods from a WebGPU report (npm run bench -- --json)")
    ap.add_argument("--methods", help="comma-separated method names (default: all)")
    ap.add_argument("--precision", help="comma-separated: fp32,tf32,bf16 (default: all three on CUDA, fp32 on CPU)")
    ap.add_argument("--only", default="kernels,steps,eval", help="sections: kernels,steps,eval")
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--warmup", type=int, default=None)
    ap.add_argument("--eval-examples", type=int, default=None)
    ap.add_argument("--seed", type=int, default=123456)
    ap.add_argument("--json", help="write the report here")
    return ap.parse_args()


def setup(args: argparse.Namespace) -> tuple[bool, str, dict, dict, list[tuple[str, dict]]]:
    """(quick, model name, model config, recipe, methods): from a WebGPU report, or the built-in mirror."""
    if args.from_file:
        with open(args.from_file) as f:
            w = json.load(f)
        quick = w["quick"]
        methods = [(s["method"], s["peft"]) for s in w["steps"]] or bench_methods(quick)
        return quick, w["model"]["name"], w["model"]["config"], dict(RECIPE, **w["recipe"]), methods
    if args.quick:
        return True, "tiny", TINY, QUICK_RECIPE, bench_methods(True)
    return False, "microsoft/codebert-base", CODEBERT, RECIPE, bench_methods(False)


def run_precision(precision: str, cfg: dict, recipe: dict, methods: list, args, dev, quick: bool) -> dict:
    print(f"precision {precision}", file=sys.stderr)
    run = {"precision": precision, "kernels": [], "steps": [], "eval": None}
    sections = args.only.split(",")
    if "kernels" in sections:
        rank = next((m["r"] for _, p in methods for m in p["methods"] if m["type"] == "lora"), 4 if quick else 64)
        with precision_ctx(precision, dev):
            for kid, fn in kernel_cases(cfg, recipe, rank, dev):
                run["kernels"].append({"id": kid, "ms": time_fn(fn, dev, 1 if quick else 3, 2 if quick else 20)})
    for name, peft in methods if "steps" in sections else []:
        print(f"  step: {name}", file=sys.stderr)
        run["steps"].append(bench_step(name, peft, cfg, recipe, args, dev, precision))
    if "eval" in sections and methods:
        run["eval"] = bench_eval(cfg, recipe, next((p for n, p in methods if n == "lora"), methods[0][1]), args, dev, precision)
    for s in run["steps"]:
        print(f"{precision:5} {s['method']:12} {s['ms']:10.2f} ms/step  peak {s['peakBytes']}", file=sys.stderr)
    if run["eval"]:
        print(f"{precision:5} eval         {run['eval']['sequencesPerSecond']:10.1f} sequences/s", file=sys.stderr)
    return run


def main() -> int:
    args = parse_args()
    dev = torch.device(args.device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        print("bench_pytorch: --device cuda but this torch has no CUDA device: use --device cpu or a CUDA build of torch", file=sys.stderr)
        return 2
    quick, model_name, cfg, recipe, methods = setup(args)
    if args.methods:
        wanted = args.methods.split(",")
        unknown = [m for m in wanted if m not in dict(methods)]
        if unknown:
            print(f"bench_pytorch: unknown method(s) {', '.join(unknown)}: choose from {', '.join(n for n, _ in methods)}", file=sys.stderr)
            return 2
        methods = [(n, p) for n, p in methods if n in wanted]
    args.steps = args.steps or (1 if quick else 10)
    args.warmup = args.warmup if args.warmup is not None else (1 if quick else 3)
    args.eval_examples = args.eval_examples or (8 if quick else 1024)
    precisions = (args.precision or ("fp32,tf32,bf16" if dev.type == "cuda" else "fp32")).split(",")
    runs = [run_precision(p, cfg, recipe, methods, args, dev, quick) for p in precisions]
    device = torch.cuda.get_device_name(dev) if dev.type == "cuda" else f"cpu ({platform.machine()}, {torch.get_num_threads()} threads)"
    report = {"schema": "torch-bench/1", "date": datetime.now(timezone.utc).isoformat(), "quick": quick,
              "environment": {"torch": torch.__version__, "cuda": torch.version.cuda, "python": platform.python_version(), "device": device},
              "model": {"name": model_name, "config": cfg}, "recipe": recipe, "runs": runs}
    text = json.dumps(report, indent=2)
    print(text)  # the report on stdout; progress and the summary went to stderr
    if args.json:
        with open(args.json, "w") as f:
            f.write(text + "\n")
        print(f"wrote {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
