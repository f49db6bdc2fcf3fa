#!/usr/bin/env python3
"""Golden fixtures for the TypeScript engine tests.

Run from anywhere:  /usr/bin/python3 tools/make_golden.py
Needs only torch (Debian python3-torch 1.13, CPU). No transformers, no safetensors package: the model is an
independent plain-torch re-implementation of Hugging Face RoBERTa (eager attention, dropout 0), the PEFT methods
follow docs/PEFT_CONFIG.md, autograd does the backward, torch.optim.AdamW + a hand-written
get_linear_schedule_with_warmup + torch.nn.utils.clip_grad_norm_ do the optimisation, and safetensors files are
written by hand.

Writes tests/fixtures/golden/ (see the README.md there): config.json, base.safetensors, batches.safetensors and
one <case>.json + <case>.safetensors per case. Deterministic: two runs give identical bytes.

Options:  --out DIR (default: tests/fixtures/golden in this repo). A self-test runs after writing (independent
safetensors reader, padding invariance, LoRA B=0 identity, LWO step counts, peft prefix split, clipping exercised),
and every case is re-run in float64 to flag noise-driven tensors ("unstable" in the case JSON).
"""
from __future__ import annotations

import argparse
import array
import hashlib
import json
import math
import os
import struct
import sys
from collections import OrderedDict

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float32)
torch.set_num_threads(1)  # single-threaded CPU kernels: bit-identical reruns
torch.use_deterministic_algorithms(True)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO, "tests", "fixtures", "golden")

# --------------------------------------------------------------------------------------------------------------
# Recipe constants
# --------------------------------------------------------------------------------------------------------------
SEED = 123456
CONFIG = OrderedDict(
    [
        ("model_type", "roberta"),
        ("vocab_size", 50),
        ("hidden_size", 32),
        ("num_hidden_layers", 2),
        ("num_attention_heads", 4),
        ("intermediate_size", 48),
        ("max_position_embeddings", 24),
        ("type_vocab_size", 1),
        ("layer_norm_eps", 1e-5),
        ("pad_token_id", 1),
        ("bos_token_id", 0),
        ("eos_token_id", 2),
        ("hidden_act", "gelu"),
        ("hidden_dropout_prob", 0.0),
        ("attention_probs_dropout_prob", 0.0),
    ]
)
V = CONFIG["vocab_size"]
C = CONFIG["hidden_size"]
L = CONFIG["num_hidden_layers"]
H = CONFIG["num_attention_heads"]
D = C // H
I = CONFIG["intermediate_size"]
MAXPOS = CONFIG["max_position_embeddings"]
EPS = CONFIG["layer_norm_eps"]
PAD, BOS, EOS = CONFIG["pad_token_id"], CONFIG["bos_token_id"], CONFIG["eos_token_id"]

BATCH = 3
CODE_LEN = 10
NL_LEN = 7
STEPS = 3
# Real-token counts (without <s> and </s>) of every row: each batch has a full row and at least one padded row.
CODE_REAL = [[8, 3, 6], [5, 8, 1], [7, 2, 8]]
NL_REAL = [[2, 5, 4], [5, 1, 3], [3, 5, 5]]

LR = 1e-2
BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8
WEIGHT_DECAY = 0.01
NO_DECAY = ["bias", "LayerNorm.weight"]
MAX_GRAD_NORM = 1.0
WARMUP = 2
TOTAL = 5

# Fixture-only init choices (documented in README.md).
LORA_B_STD = 0.05        # peft inits lora_B to zeros; a small random B makes grad(lora_A) non-zero
ADAPTER_W_STD = 0.02     # AdapterHub "bert" init
ADAPTER_UP_BIAS_STD = 0.05  # AdapterHub inits biases to 0; random up-bias so the adapter output is not ~0
PREFIX_STD = 1.0         # peft's nn.Embedding default init N(0, 1)


def lr_factor(t: int) -> float:
    """transformers.get_linear_schedule_with_warmup, as a LambdaLR factor."""
    if t < WARMUP:
        return float(t) / float(max(1, WARMUP))
    return max(0.0, float(TOTAL - t) / float(max(1, TOTAL - WARMUP)))


# --------------------------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------------------------
LINEAR_SUBMODULES = [
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
]
# lab/peft target name -> sub-module of encoder.layer.N.  ('output.dense' means the FFN output dense; see README)
LORA_TARGETS = {
    "query": "attention.self.query",
    "key": "attention.self.key",
    "value": "attention.self.value",
    "attention.output.dense": "attention.output.dense",
    "intermediate.dense": "intermediate.dense",
    "output.dense": "output.dense",
}
ADAPTER_SITES = {"attn": "attention.output", "ffn": "output"}


def base_names() -> list[tuple[str, list[int]]]:
    """Hugging Face RobertaModel.named_parameters() order and shapes (no 'roberta.' prefix)."""
    out = [
        ("embeddings.word_embeddings.weight", [V, C]),
        ("embeddings.position_embeddings.weight", [MAXPOS, C]),
        ("embeddings.token_type_embeddings.weight", [CONFIG["type_vocab_size"], C]),
        ("embeddings.LayerNorm.weight", [C]),
        ("embeddings.LayerNorm.bias", [C]),
    ]
    for l in range(L):
        p = f"encoder.layer.{l}."
        for m in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"]:
            out += [(p + m + ".weight", [C, C]), (p + m + ".bias", [C])]
        out += [(p + "attention.output.LayerNorm.weight", [C]), (p + "attention.output.LayerNorm.bias", [C])]
        out += [(p + "intermediate.dense.weight", [I, C]), (p + "intermediate.dense.bias", [I])]
        out += [(p + "output.dense.weight", [C, I]), (p + "output.dense.bias", [C])]
        out += [(p + "output.LayerNorm.weight", [C]), (p + "output.LayerNorm.bias", [C])]
    out += [("pooler.dense.weight", [C, C]), ("pooler.dense.bias", [C])]
    return out


def linear_shape(sub: str) -> tuple[int, int]:
    """(out, in) of an encoder-layer linear."""
    return {"intermediate.dense": (I, C), "output.dense": (C, I)}.get(sub, (C, C))


def is_no_decay(name: str) -> bool:
    return any(nd in name for nd in NO_DECAY)


# --------------------------------------------------------------------------------------------------------------
# safetensors, by hand
# --------------------------------------------------------------------------------------------------------------
DTYPES = {torch.float32: ("F32", "<f4"), torch.int32: ("I32", "<i4")}


def safetensors_bytes(tensors: "OrderedDict[str, torch.Tensor]", metadata: dict | None = None) -> bytes:
    assert sys.byteorder == "little"
    header: "OrderedDict[str, object]" = OrderedDict()
    if metadata:
        header["__metadata__"] = OrderedDict((k, str(v)) for k, v in metadata.items())
    blobs = []
    off = 0
    for name, t in tensors.items():
        t = t.detach().contiguous()
        dt, _ = DTYPES[t.dtype]
        raw = t.numpy().tobytes()
        header[name] = OrderedDict([("dtype", dt), ("shape", list(t.shape)), ("data_offsets", [off, off + len(raw)])])
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)  # pad the header with spaces to an 8-byte boundary (as the reference lib)
    return struct.pack("<Q", len(h)) + h + b"".join(blobs)


def read_safetensors_independent(path: str) -> tuple[dict, dict]:
    """Tiny independent reader (struct + json + array, no torch): returns (metadata, {name: (dtype, shape, list)})."""
    with open(path, "rb") as f:
        buf = f.read()
    (n,) = struct.unpack_from("<Q", buf, 0)
    assert 8 + n <= len(buf), "header runs past the end"
    header = json.loads(buf[8 : 8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    data = buf[8 + n :]
    spans = sorted((v["data_offsets"][0], v["data_offsets"][1], k) for k, v in header.items())
    pos = 0
    for b, e, k in spans:  # contiguous, non-overlapping, covering the whole data section
        assert b == pos, f"{k}: gap or overlap at {b} (expected {pos})"
        pos = e
    assert pos == len(data), "trailing bytes after the last tensor"
    out = {}
    for k, v in header.items():
        b, e = v["data_offsets"]
        code = {"F32": "f", "I32": "i"}[v["dtype"]]
        arr = array.array(code)
        assert arr.itemsize == 4
        arr.frombytes(data[b:e])
        if sys.byteorder != "little":
            arr.byteswap()
        numel = 1
        for s in v["shape"]:
            numel *= s
        assert len(arr) == numel, f"{k}: {len(arr)} elements for shape {v['shape']}"
        out[k] = (v["dtype"], v["shape"], arr.tolist())
    return meta, out


# --------------------------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------------------------
def make_base() -> "OrderedDict[str, torch.Tensor]":
    w: "OrderedDict[str, torch.Tensor]" = OrderedDict()
    for name, shape in base_names():
        if name.endswith("LayerNorm.weight"):
            w[name] = 1.0 + 0.1 * torch.randn(shape)
        elif name.endswith("bias"):
            w[name] = 0.1 * torch.randn(shape)
        else:  # linear weights and embedding tables
            w[name] = 0.2 * torch.randn(shape)
    return w


def make_ids(real: list[list[int]], length: int) -> torch.Tensor:
    ids = torch.full((STEPS, BATCH, length), PAD, dtype=torch.int64)
    for s in range(STEPS):
        for b in range(BATCH):
            n = real[s][b]
            assert 1 <= n <= length - 2
            ids[s, b, 0] = BOS
            ids[s, b, 1 : 1 + n] = torch.randint(3, V, (n,))
            ids[s, b, 1 + n] = EOS
    return ids


# --------------------------------------------------------------------------------------------------------------
# The model: plain-torch Hugging Face RoBERTa (eager), with the lab's PEFT modules
# --------------------------------------------------------------------------------------------------------------
class Spec:
    """What the forward needs to know about the attached PEFT modules."""

    def __init__(self) -> None:
        self.lora: dict[str, float] = {}  # full module name (encoder.layer.l.<sub>) -> scaling
        self.adapters: dict[str, str] = {}  # site (encoder.layer.l.attention.output / .output) -> activation
        self.prefix: str | None = None  # None, "plain" or "mlp"
        self.prefix_len = 0
        self.pooling = "pooler"  # or "mean"
        self.normalize = False
        self.scale = 1.0


def linear(P: dict, mod: str, x: torch.Tensor, spec: Spec) -> torch.Tensor:
    y = F.linear(x, P[mod + ".weight"], P[mod + ".bias"])
    s = spec.lora.get(mod)
    if s is not None:  # peft: result + lora_B(lora_A(dropout(x))) * scaling, dropout 0
        y = y + F.linear(F.linear(x, P[mod + ".lora_A.weight"]), P[mod + ".lora_B.weight"]) * s
    return y


ACTS = {"relu": F.relu, "gelu": F.gelu, "swish": F.silu}  # gelu = exact erf GELU, swish = x * sigmoid(x)


def adapter(P: dict, site: str, y: torch.Tensor, spec: Spec) -> torch.Tensor:
    act = spec.adapters.get(site)
    if act is None:
        return y
    a = site + ".adapter."
    z = F.linear(y, P[a + "down.weight"], P[a + "down.bias"])
    z = ACTS[act](z)
    return y + F.linear(z, P[a + "up.weight"], P[a + "up.bias"])


def prefix_kv(P: dict, spec: Spec) -> list[tuple[torch.Tensor, torch.Tensor]] | None:
    """Per layer (key, value), each (P, C) — already in key/value space (not passed through the k/v linears)."""
    if spec.prefix is None:
        return None
    if spec.prefix == "plain":
        return [(P[f"prefix.layer.{l}.key"], P[f"prefix.layer.{l}.value"]) for l in range(L)]
    # peft PrefixEncoder with prefix_projection: embedding -> Linear -> Tanh -> Linear; then
    # view(B, P, 2L, H, D).permute(2, 0, 3, 1, 4).split(2): row p, columns [2l*C, (2l+1)*C) = layer l key,
    # [(2l+1)*C, (2l+2)*C) = layer l value.
    e = P["prefix.embedding.weight"]
    out = F.linear(torch.tanh(F.linear(e, P["prefix.mlp.0.weight"], P["prefix.mlp.0.bias"])),
                   P["prefix.mlp.2.weight"], P["prefix.mlp.2.bias"])
    return [(out[:, (2 * l) * C : (2 * l + 1) * C], out[:, (2 * l + 1) * C : (2 * l + 2) * C]) for l in range(L)]


def encode(P: dict, ids: torch.Tensor, spec: Spec) -> torch.Tensor:
    Bsz, T = ids.shape
    mask = (ids != PAD).to(torch.int64)
    pkv = prefix_kv(P, spec)
    past = spec.prefix_len if pkv is not None else 0
    # HF create_position_ids_from_input_ids(input_ids, padding_idx, past_key_values_length)
    pos = (torch.cumsum(mask, dim=1) + past) * mask + PAD
    # nn.Embedding(padding_idx=pad): the pad row gets no gradient
    x = F.embedding(ids, P["embeddings.word_embeddings.weight"], padding_idx=PAD)
    x = x + F.embedding(torch.zeros_like(ids), P["embeddings.token_type_embeddings.weight"])
    x = x + F.embedding(pos, P["embeddings.position_embeddings.weight"], padding_idx=PAD)
    x = F.layer_norm(x, (C,), P["embeddings.LayerNorm.weight"], P["embeddings.LayerNorm.bias"], EPS)

    # extended attention mask: (1 - m) * finfo.min; prefix columns (first) are always visible
    m = mask.to(x.dtype)
    if pkv is not None:
        m = torch.cat([torch.ones(Bsz, spec.prefix_len, dtype=x.dtype), m], dim=1)
    ext = (1.0 - m[:, None, None, :]) * torch.finfo(x.dtype).min

    for l in range(L):
        p = f"encoder.layer.{l}."

        def heads(t: torch.Tensor) -> torch.Tensor:
            return t.view(t.shape[0], t.shape[1], H, D).permute(0, 2, 1, 3)

        q = heads(linear(P, p + "attention.self.query", x, spec))
        k = heads(linear(P, p + "attention.self.key", x, spec))
        v = heads(linear(P, p + "attention.self.value", x, spec))
        if pkv is not None:
            pk, pv = pkv[l]
            pk = heads(pk.unsqueeze(0)).expand(Bsz, H, spec.prefix_len, D)
            pv = heads(pv.unsqueeze(0)).expand(Bsz, H, spec.prefix_len, D)
            k = torch.cat([pk, k], dim=2)
            v = torch.cat([pv, v], dim=2)
        scores = torch.matmul(q, k.transpose(-1, -2))
        scores = scores / math.sqrt(D)
        scores = scores + ext
        probs = torch.softmax(scores, dim=-1)
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous().view(Bsz, T, C)
        y = linear(P, p + "attention.output.dense", ctx, spec)
        y = adapter(P, p + "attention.output", y, spec)
        x = F.layer_norm(y + x, (C,), P[p + "attention.output.LayerNorm.weight"],
                         P[p + "attention.output.LayerNorm.bias"], EPS)
        hmid = F.gelu(linear(P, p + "intermediate.dense", x, spec))
        y = linear(P, p + "output.dense", hmid, spec)
        y = adapter(P, p + "output", y, spec)
        x = F.layer_norm(y + x, (C,), P[p + "output.LayerNorm.weight"], P[p + "output.LayerNorm.bias"], EPS)

    if spec.pooling == "pooler":
        vec = torch.tanh(F.linear(x[:, 0], P["pooler.dense.weight"], P["pooler.dense.bias"]))
    else:  # UniXcoder: masked mean over non-pad tokens (<s> and </s> included)
        mf = mask.to(x.dtype)
        vec = (x * mf[:, :, None]).sum(1) / mf.sum(-1)[:, None]
    if spec.normalize:
        vec = F.normalize(vec, p=2, dim=1)  # x / max(||x||, 1e-12)
    return vec


# --------------------------------------------------------------------------------------------------------------
# Cases: the lab PEFT config -> added tensors, trainable set, forward spec
# --------------------------------------------------------------------------------------------------------------
def cfg(methods: list, layers=None, train_pooler=False) -> "OrderedDict":
    return OrderedDict([("methods", methods), ("layers", layers), ("trainPooler", train_pooler)])


def lora_m(r, alpha, targets, rslora=False):
    return OrderedDict([("type", "lora"), ("r", r), ("alpha", alpha), ("dropout", 0.0), ("targets", targets),
                        ("rslora", rslora)])


def adapter_m(placement, size, activation):
    return OrderedDict([("type", "adapter"), ("placement", placement), ("size", size), ("activation", activation)])


def prefix_m(length, hidden=None):
    proj = None if hidden is None else OrderedDict([("hidden", hidden)])
    return OrderedDict([("type", "prefix"), ("length", length), ("projection", proj)])


ALL6 = ["query", "key", "value", "attention.output.dense", "intermediate.dense", "output.dense"]

CASES = [
    ("full", cfg([OrderedDict([("type", "full")])]), {}),
    ("bitfit", cfg([OrderedDict([("type", "bitfit")])]), {}),
    ("layernorm", cfg([OrderedDict([("type", "layernorm")])]), {}),
    ("lora", cfg([lora_m(4, 8, ["query", "value"])]), {}),
    ("lora_all", cfg([lora_m(2, 4, ALL6, rslora=True)]), {}),
    ("adapter_houlsby", cfg([adapter_m("houlsby", 8, "relu")]), {}),
    ("adapter_attn", cfg([adapter_m("attn", 5, "gelu")]), {}),
    ("adapter_ffn", cfg([adapter_m("ffn", 8, "swish")]), {}),
    ("prefix", cfg([prefix_m(3)]), {}),
    ("prefix_mlp", cfg([prefix_m(3, 16)]), {}),
    ("telly1", cfg([OrderedDict([("type", "telly"), ("k", 1)])]), {}),
    ("lwo", cfg([OrderedDict([("type", "lwo"), ("group", 1), ("schedule", "bottom-up"), ("phaseSteps", 1)])]), {}),
    ("loff", cfg([lora_m(4, 8, ["query", "value"]), adapter_m("ffn", 8, "relu")], layers=[1]), {}),
    ("lora_mean_norm", cfg([lora_m(4, 8, ["query", "value"])]),
     {"pooling": "mean", "normalize": True, "scale": 20}),
]

DESCRIPTIONS = {
    "full": "full fine-tuning: every base weight (embeddings and pooler included)",
    "bitfit": "BitFit: every bias inside encoder.layer.* (q/k/v, attention output, FFN, both LayerNorm biases)",
    "layernorm": "LayerNorm-only: weight and bias of every LayerNorm inside encoder.layer.*",
    "lora": "LoRA on query,value; r=4, alpha=8 (scaling 2)",
    "lora_all": "LoRA on all six linears; r=2, alpha=4, rsLoRA (scaling 4/sqrt(2))",
    "adapter_houlsby": "bottleneck adapters after attention and after FFN; size 8, relu",
    "adapter_attn": "bottleneck adapter after attention only; size 5, gelu (erf)",
    "adapter_ffn": "bottleneck adapter after FFN only (Pfeiffer position); size 8, swish",
    "prefix": "prefix-tuning, 3 key + 3 value rows per layer (no projection)",
    "prefix_mlp": "prefix-tuning with peft's MLP reparameterization: embedding (3,32) -> 16 -> tanh -> 2*L*32",
    "telly1": "Telly-1: embeddings and layer 0 frozen; layer 1 and the pooler trained",
    "lwo": "LWO: group 1, bottom-up, phaseSteps 1: step 0 trains layer 0, step 1 layer 1, step 2 layer 0",
    "loff": "loFF: LoRA(query,value; r=4, alpha=8) + FFN adapter (size 8, relu), both only in layer 1",
    "lora_mean_norm": "LoRA (query,value; r=4, alpha=8) with UniXcoder pooling: masked mean, L2-normalize, x20",
}


def layers_of(method: dict, config: dict) -> list[int]:
    ls = method.get("layers", config.get("layers"))
    return list(range(L)) if ls is None else list(ls)


def build_case(config: dict, head: dict):
    """Returns (spec, added: OrderedDict name -> init tensor, ordered trainable names, lwo active-layer schedule).

    Consumes the global RNG in a fixed order (the case seed is set by the caller)."""
    spec = Spec()
    spec.pooling = head.get("pooling", "pooler")
    spec.normalize = bool(head.get("normalize", False))
    spec.scale = float(head.get("scale", 1))
    train_base: set[str] = set()
    lora_cfg: dict[str, tuple[int, float]] = {}  # module -> (r, scaling)
    adapter_cfg: dict[str, tuple[int, str]] = {}  # site -> (size, activation)
    prefix_cfg = None
    lwo_schedule = None
    names = [n for n, _ in base_names()]
    train_pooler = bool(config.get("trainPooler"))

    for m in config["methods"]:
        t = m["type"]
        if t == "full":
            train_base.update(names)
        elif t == "bitfit":
            train_base.update(n for n in names if n.startswith("encoder.layer.") and n.endswith(".bias"))
        elif t == "layernorm":
            train_base.update(n for n in names if n.startswith("encoder.layer.") and ".LayerNorm." in n)
        elif t == "telly":
            k = m["k"]
            train_base.update(n for n in names if n.startswith("pooler."))
            train_base.update(n for n in names if n.startswith("encoder.layer.") and int(n.split(".")[2]) >= k)
        elif t == "lwo":
            assert m["group"] == 1 and m["schedule"] == "bottom-up" and m["phaseSteps"] == 1
            train_base.update(n for n in names if n.startswith("encoder.layer."))
            groups = [[g] for g in range(L)]  # bottom-up, group size 1, cycling
            lwo_schedule = [groups[(s // m["phaseSteps"]) % len(groups)] for s in range(STEPS)]
        elif t == "lora":
            scaling = m["alpha"] / (math.sqrt(m["r"]) if m["rslora"] else m["r"])
            assert m["dropout"] == 0.0
            for l in layers_of(m, config):
                for tgt in m["targets"]:
                    lora_cfg[f"encoder.layer.{l}.{LORA_TARGETS[tgt]}"] = (m["r"], scaling)
        elif t == "adapter":
            sites = {"houlsby": ["attn", "ffn"], "attn": ["attn"], "ffn": ["ffn"]}[m["placement"]]
            for l in layers_of(m, config):
                for s in sites:
                    adapter_cfg[f"encoder.layer.{l}.{ADAPTER_SITES[s]}"] = (m["size"], m["activation"])
        elif t == "prefix":
            prefix_cfg = m
        else:
            raise ValueError(t)
    if train_pooler:
        train_base.update(n for n in names if n.startswith("pooler."))

    # All tensors in one fixed order: HF order, each module's added tensors right after the module's own
    # (LoRA after its linear's weight/bias, an adapter after the LayerNorm of the block it sits in), prefix last.
    order: list[str] = []
    added: "OrderedDict[str, torch.Tensor]" = OrderedDict()
    for n, _ in base_names():
        order.append(n)
        mod = n.rsplit(".", 1)[0]
        if n.endswith(".bias") and mod in lora_cfg:
            r, s = lora_cfg[mod]
            out_f, in_f = linear_shape(mod.split(".", 3)[3])
            a = torch.empty(r, in_f)
            torch.nn.init.kaiming_uniform_(a, a=math.sqrt(5))  # peft: U(-1/sqrt(in), 1/sqrt(in))
            b = LORA_B_STD * torch.randn(out_f, r)
            added[mod + ".lora_A.weight"] = a
            added[mod + ".lora_B.weight"] = b
            order += [mod + ".lora_A.weight", mod + ".lora_B.weight"]
            spec.lora[mod] = s
        if n.endswith("LayerNorm.bias"):
            site = n[: -len(".LayerNorm.bias")]
            if site in adapter_cfg:
                size, act = adapter_cfg[site]
                a = site + ".adapter."
                added[a + "down.weight"] = ADAPTER_W_STD * torch.randn(size, C)
                added[a + "down.bias"] = torch.zeros(size)
                added[a + "up.weight"] = ADAPTER_W_STD * torch.randn(C, size)
                added[a + "up.bias"] = ADAPTER_UP_BIAS_STD * torch.randn(C)
                order += [a + "down.weight", a + "down.bias", a + "up.weight", a + "up.bias"]
                spec.adapters[site] = act
    if prefix_cfg is not None:
        Pn = prefix_cfg["length"]
        spec.prefix_len = Pn
        if prefix_cfg["projection"] is None:
            spec.prefix = "plain"
            for l in range(L):
                added[f"prefix.layer.{l}.key"] = PREFIX_STD * torch.randn(Pn, C)
                added[f"prefix.layer.{l}.value"] = PREFIX_STD * torch.randn(Pn, C)
        else:
            spec.prefix = "mlp"
            hid = prefix_cfg["projection"]["hidden"]
            added["prefix.embedding.weight"] = PREFIX_STD * torch.randn(Pn, C)  # nn.Embedding default N(0,1)
            for nm, (o, i) in [("prefix.mlp.0", (hid, C)), ("prefix.mlp.2", (2 * L * C, hid))]:
                w = torch.empty(o, i)
                torch.nn.init.kaiming_uniform_(w, a=math.sqrt(5))  # nn.Linear default init
                bnd = 1.0 / math.sqrt(i)
                added[nm + ".weight"] = w
                added[nm + ".bias"] = torch.empty(o).uniform_(-bnd, bnd)
        order += [n for n in added if n.startswith("prefix.")]
    trainable = [n for n in order if n in train_base or n in added]
    return spec, added, trainable, lwo_schedule


UNSTABLE_ATOL = 1e-4


def f64_check(res: dict, ref: dict) -> "OrderedDict":
    """Compares the float32 run with the float64 rerun of the same case.

    'unstable' lists trainable tensors whose final value is driven by float32 rounding noise: their exact gradient
    is 0 (the attention key bias: softmax is invariant to adding q.b_k to every score of a query), so float32
    leaves ~1e-9 noise that AdamW's m/sqrt(v) normalization turns into moves of order lr. A float32 engine cannot
    reproduce those values; tests should check their grad against 0 with an absolute tolerance and skip (or
    only bound) their final value. The other fields are the worst float32-vs-float64 differences elsewhere."""
    unstable = [n for n in res["trainable"]
                if (res["final"][n].double() - ref["final"][n]).abs().max().item() > UNSTABLE_ATOL]

    def worst(a: dict, b: dict, skip=()) -> float:
        d = [(a[k].double() - b[k]).abs().max().item() for k in a if k not in skip]
        return max(d) if d else 0.0

    return OrderedDict(
        [
            ("unstable", unstable),
            ("loss", max(abs(x - y) for x, y in zip(res["losses"], ref["losses"]))),
            ("gradNormRel", max(abs(x - y) / y for x, y in zip(res["norms"], ref["norms"]))),
            ("vec", max((res["vecs0"][i].double() - ref["vecs0"][i]).abs().max().item() for i in range(2))),
            ("grad", worst(res["grads0"], ref["grads0"])),
            ("final", worst(res["final"], ref["final"], set(unstable))),
        ]
    )


def layer_of(name: str) -> int | None:
    if name.startswith("encoder.layer."):
        return int(name.split(".")[2])
    return None


def run_case(base: dict, code_ids: torch.Tensor, nl_ids: torch.Tensor, config: dict, head: dict, seed: int,
             dtype: torch.dtype = torch.float32):
    """One case: 3 steps of the recipe. dtype=float64 reruns the same case (same float32 init values, cast) as a
    higher-precision reference, used to find the noise-driven tensors and to report float32 error levels."""
    torch.manual_seed(seed)
    spec, added, trainable, lwo_schedule = build_case(config, head)
    P = OrderedDict((n, t.clone().to(dtype)) for n, t in base.items())
    for n, t in added.items():
        P[n] = t.clone().to(dtype)
    for n in trainable:
        P[n].requires_grad_(True)
    params = [P[n] for n in trainable]
    decay = [P[n] for n in trainable if not is_no_decay(n)]
    nodecay = [P[n] for n in trainable if is_no_decay(n)]
    groups = [g for g in [{"params": decay, "weight_decay": WEIGHT_DECAY}, {"params": nodecay, "weight_decay": 0.0}]
              if g["params"]]
    opt = torch.optim.AdamW(groups, lr=LR, betas=BETAS, eps=ADAM_EPS, weight_decay=WEIGHT_DECAY, foreach=False)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_factor)
    losses, norms, coefs, lrs = [], [], [], []
    grads0: "OrderedDict[str, torch.Tensor]" = OrderedDict()
    vecs0 = None
    for step in range(STEPS):
        active = trainable
        if lwo_schedule is not None:
            active = [n for n in trainable if layer_of(n) in lwo_schedule[step]]
        for n in trainable:  # inactive tensors get no grad at all (grad None): AdamW skips them this step
            P[n].requires_grad_(n in active)
        opt.zero_grad(set_to_none=True)
        code_vec = encode(P, code_ids[step], spec)
        nl_vec = encode(P, nl_ids[step], spec)
        scores = torch.matmul(nl_vec, code_vec.t())
        if spec.scale != 1.0:
            scores = scores * spec.scale
        loss = F.cross_entropy(scores, torch.arange(BATCH))
        loss.backward()
        if step == 0:
            vecs0 = (code_vec.detach().clone(), nl_vec.detach().clone())
            for n in trainable:
                if P[n].grad is not None:
                    grads0[n] = P[n].grad.detach().clone()
        lrs.append(opt.param_groups[0]["lr"])
        norm = torch.nn.utils.clip_grad_norm_(params, MAX_GRAD_NORM)
        losses.append(loss.item())
        norms.append(norm.item())
        coefs.append(min(1.0, (torch.tensor(MAX_GRAD_NORM) / (norm + 1e-6)).item()))
        opt.step()
        sched.step()
    final = OrderedDict((n, P[n].detach().clone()) for n in trainable)
    adam_steps = OrderedDict((n, int(opt.state[P[n]]["step"].item()) if P[n] in opt.state else 0) for n in trainable)
    return dict(spec=spec, added=added, trainable=trainable, lwo=lwo_schedule, losses=losses, norms=norms,
                coefs=coefs, lrs=lrs, grads0=grads0, vecs0=vecs0, final=final, adam_steps=adam_steps)


# --------------------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------------------
def write(path: str, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)


def case_json(name: str, config: dict, head: dict, res: dict, base: dict) -> "OrderedDict":
    shapes = OrderedDict()
    for n in res["trainable"]:
        shapes[n] = list(res["final"][n].shape)
    return OrderedDict(
        [
            ("case", name),
            ("description", DESCRIPTIONS[name]),
            ("peft", config),
            ("pooling", head.get("pooling", "pooler")),
            ("normalize", bool(head.get("normalize", False))),
            ("scale", head.get("scale", 1)),
            ("positionOffset", res["spec"].prefix_len),
            ("files", OrderedDict([("config", "config.json"), ("base", "base.safetensors"),
                                   ("batches", "batches.safetensors"), ("tensors", name + ".safetensors")])),
            ("batch", OrderedDict([("size", BATCH), ("codeLength", CODE_LEN), ("nlLength", NL_LEN), ("steps", STEPS)])),
            ("optimizer", OrderedDict([("type", "AdamW"), ("lr", LR), ("betas", list(BETAS)), ("eps", ADAM_EPS),
                                       ("weightDecay", WEIGHT_DECAY), ("noDecay", NO_DECAY),
                                       ("maxGradNorm", MAX_GRAD_NORM)])),
            ("schedule", OrderedDict([("type", "linear"), ("warmupSteps", WARMUP), ("totalSteps", TOTAL),
                                      ("lrFactors", [lr_factor(t) for t in range(STEPS)]), ("lrs", res["lrs"])])),
            ("init", OrderedDict([("loraB", f"N(0, {LORA_B_STD})"), ("loraA", "kaiming_uniform(a=sqrt(5))"),
                                  ("adapterWeights", f"N(0, {ADAPTER_W_STD})"), ("adapterDownBias", "0"),
                                  ("adapterUpBias", f"N(0, {ADAPTER_UP_BIAS_STD})"),
                                  ("prefix", f"N(0, {PREFIX_STD}); mlp: torch nn.Linear default")])),
            ("trainable", res["trainable"]),
            ("added", list(res["added"].keys())),
            ("decay", [n for n in res["trainable"] if not is_no_decay(n)]),
            ("shapes", shapes),
            ("activeLayers", res["lwo"]),
            ("gradAtStep0", list(res["grads0"].keys())),
            ("adamSteps", res["adam_steps"]),
            ("unstable", res["f64"]["unstable"]),
            ("float64Diff", OrderedDict((k, v) for k, v in res["f64"].items() if k != "unstable")),
            ("losses", res["losses"]),
            ("gradNorms", res["norms"]),
            ("clipCoefs", res["coefs"]),
        ]
    )


def dump_json(obj) -> bytes:
    """Indented JSON with short number/string lists kept on one line."""
    def enc(o, ind):
        pad = " " * ind
        if isinstance(o, dict):
            if not o:
                return "{}"
            items = [f'{pad}  {json.dumps(k)}: {enc(v, ind + 2)}' for k, v in o.items()]
            return "{\n" + ",\n".join(items) + "\n" + pad + "}"
        if isinstance(o, list):
            if all(not isinstance(x, (dict, list)) for x in o) or all(
                isinstance(x, list) and all(not isinstance(y, (dict, list)) for y in x) for x in o
            ):
                one = json.dumps(o, separators=(", ", ": "))
                if len(one) <= 100:
                    return one
            if not o:
                return "[]"
            items = [f"{pad}  {enc(v, ind + 2)}" for v in o]
            return "[\n" + ",\n".join(items) + "\n" + pad + "]"
        return json.dumps(o)

    return (enc(obj, 0) + "\n").encode("utf-8")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args()
    out = args.out
    os.makedirs(out, exist_ok=True)

    torch.manual_seed(SEED)
    base = make_base()
    code_ids = make_ids(CODE_REAL, CODE_LEN)
    nl_ids = make_ids(NL_REAL, NL_LEN)

    files: "OrderedDict[str, bytes]" = OrderedDict()
    files["config.json"] = dump_json(CONFIG)
    files["base.safetensors"] = safetensors_bytes(base, {"format": "pt", "generator": "tools/make_golden.py"})
    files["batches.safetensors"] = safetensors_bytes(
        OrderedDict([("code_ids", code_ids.to(torch.int32)), ("nl_ids", nl_ids.to(torch.int32))]),
        {"format": "pt", "generator": "tools/make_golden.py"},
    )

    results = OrderedDict()
    for idx, (name, config, head) in enumerate(CASES):
        res = run_case(base, code_ids, nl_ids, config, head, SEED + 1 + idx)
        ref = run_case(base, code_ids, nl_ids, config, head, SEED + 1 + idx, dtype=torch.float64)
        res["f64"] = f64_check(res, ref)
        results[name] = res
        t: "OrderedDict[str, torch.Tensor]" = OrderedDict()
        t["code_vec"] = res["vecs0"][0]
        t["nl_vec"] = res["vecs0"][1]
        for n, v in res["added"].items():
            t["init." + n] = v
        for n, g in res["grads0"].items():
            t["grad." + n] = g
        for n, v in res["final"].items():
            t["final." + n] = v
        files[name + ".safetensors"] = safetensors_bytes(t, {"format": "pt", "case": name})
        files[name + ".json"] = dump_json(case_json(name, config, head, res, base))

    for fn, data in files.items():
        write(os.path.join(out, fn), data)

    self_test(out, base, code_ids, nl_ids, results)

    # summary
    total = 0
    print(f"golden fixtures -> {os.path.relpath(out, REPO)}")
    print(f"{'case':16s} {'#train':>6s} {'losses':>33s}   {'grad norms (pre-clip)':>30s}")
    for name, res in results.items():
        ls = " ".join(f"{x:.5f}" for x in res["losses"])
        ns = " ".join(f"{x:8.4f}" for x in res["norms"])
        f = res["f64"]
        print(f"{name:16s} {len(res['trainable']):6d}  {ls}   {ns}   f64 diff: loss {f['loss']:.0e} "
              f"grad {f['grad']:.0e} final {f['final']:.0e}; unstable {len(f['unstable'])}")
    for fn, data in files.items():
        total += len(data)
    big = max(files.items(), key=lambda kv: len(kv[1]))
    digest = hashlib.sha256(b"".join(hashlib.sha256(d).digest() for d in files.values())).hexdigest()
    print(f"{len(files)} files, {total / 1024:.1f} KiB in all; largest {big[0]} {len(big[1]) / 1024:.1f} KiB; "
          f"sha256(all) {digest[:16]}")
    return 0


# --------------------------------------------------------------------------------------------------------------
# Self-test
# --------------------------------------------------------------------------------------------------------------
def self_test(out: str, base: dict, code_ids: torch.Tensor, nl_ids: torch.Tensor, results: dict) -> None:
    # 1. independent safetensors reader round-trip
    meta, got = read_safetensors_independent(os.path.join(out, "base.safetensors"))
    assert list(got.keys()) == list(base.keys()), "base tensor names/order"
    for n, t in base.items():
        dt, shape, vals = got[n]
        assert dt == "F32" and shape == list(t.shape) and vals == t.flatten().tolist(), n
    _, got = read_safetensors_independent(os.path.join(out, "batches.safetensors"))
    assert got["code_ids"][1] == [STEPS, BATCH, CODE_LEN] and got["code_ids"][2] == code_ids.flatten().tolist()
    assert got["nl_ids"][1] == [STEPS, BATCH, NL_LEN] and got["nl_ids"][2] == nl_ids.flatten().tolist()
    for name, res in results.items():
        meta, got = read_safetensors_independent(os.path.join(out, name + ".safetensors"))
        assert meta.get("case") == name
        for n, v in res["final"].items():
            assert got["final." + n][2] == v.flatten().tolist(), (name, n)
        for n, g in res["grads0"].items():
            assert got["grad." + n][2] == g.flatten().tolist(), (name, n)
        with open(os.path.join(out, name + ".json")) as f:
            js = json.load(f)
        assert js["losses"] == res["losses"] and js["trainable"] == res["trainable"]

    # 2. batch layout: <s> first, </s> after the real tokens, then pads; a full row and a padded row in each batch
    for ids, real in [(code_ids, CODE_REAL), (nl_ids, NL_REAL)]:
        T = ids.shape[2]
        for s in range(STEPS):
            assert any(n == T - 2 for n in real[s]) and any(n < T - 2 for n in real[s])

    # 3. padding invariance of the model (position ids / mask): a row encoded alone without its pads == padded
    spec = Spec()
    P = dict(base)
    full_vec = encode(P, code_ids[0], spec)
    for b in range(BATCH):
        n = CODE_REAL[0][b] + 2
        alone = encode(P, code_ids[0, b : b + 1, :n], spec)
        assert torch.allclose(alone[0], full_vec[b], atol=1e-6), "pad invariance"

    # 4. a freshly-initialised LoRA with B = 0 is the base model exactly
    spec = Spec()
    spec.lora = {"encoder.layer.0.attention.self.query": 2.0}
    P2 = dict(base)
    P2["encoder.layer.0.attention.self.query.lora_A.weight"] = torch.randn(4, C)
    P2["encoder.layer.0.attention.self.query.lora_B.weight"] = torch.zeros(C, 4)
    assert torch.equal(encode(P2, code_ids[0], spec), full_vec)

    # 5. LWO: inactive layers got no grad at step 0 and Adam step counts follow the schedule
    res = results["lwo"]
    assert all(layer_of(n) == 0 for n in res["grads0"])
    for n, k in res["adam_steps"].items():
        assert k == (2 if layer_of(n) == 0 else 1), (n, k)

    # 6. the prefix-MLP split matches peft's view/permute/split order
    Pn, hid = 3, 16
    outm = torch.randn(Pn, 2 * L * C)
    pkv = outm.view(1, Pn, 2 * L, H, D).permute(2, 0, 3, 1, 4).split(2)
    for l in range(L):
        k_peft = pkv[l][0][0]  # (H, P, D)
        k_lab = outm[:, (2 * l) * C : (2 * l + 1) * C].view(Pn, H, D).permute(1, 0, 2)
        v_lab = outm[:, (2 * l + 1) * C : (2 * l + 2) * C].view(Pn, H, D).permute(1, 0, 2)
        assert torch.equal(k_peft, k_lab) and torch.equal(pkv[l][1][0], v_lab)

    # 7. every case moved its trainable tensors and produced non-zero grads for every PEFT-added tensor
    for name, res in results.items():
        for n in res["added"]:
            assert res["grads0"][n].abs().max() > 0, (name, n)
            assert not torch.equal(res["final"][n], res["added"][n]), (name, n)
    # 8. clipping is exercised: some steps clipped (norm > 1), some not
    all_norms = [x for res in results.values() for x in res["norms"]]
    assert any(x > MAX_GRAD_NORM for x in all_norms) and any(x < MAX_GRAD_NORM for x in all_norms)
    print("self-test ok")


if __name__ == "__main__":
    sys.exit(main())
