"""The lab's fine-tuning methods on the real Hugging Face stack (transformers.RobertaModel + peft).

One module, two users: the PyTorch project `lab export-run` writes (train.py imports it), and the project's
parity tests (tools/pyref/make_golden.py), which check the lab's WGSL engine against it. It reads the lab's run
configuration unchanged (docs/PEFT_CONFIG.md, docs/CLUSTER.md):

- LoRA and prefix-tuning are peft's own (`get_peft_model`); their tensors are renamed to the lab's names on the
  way in and out (`lab_tensors`, `load_lab_tensors`), so a checkpoint moves between the two unchanged.
- What peft lacks is written here on top of RobertaModel, with the lab's parameter names: bottleneck adapters
  (a module at `encoder.layer.N.attention.output.adapter` / `encoder.layer.N.output.adapter`, applied to the
  sublayer output after its dropout, before the residual + LayerNorm), BitFit, LayerNorm-only, full, Telly-K
  and layer-wise optimization (`LabModel.drop_inactive_grads` leaves only the active group a gradient).
- The head: pooler / cls / mean pooling, optional L2 normalization, the score scale; the objective is the
  CodeXGLUE in-batch cross-entropy.
"""
from __future__ import annotations

import math
import re
from collections import OrderedDict
import torch
import torch.nn.functional as F
from torch import nn

LINEAR_SITES = [
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
]
ADAPTER_SITES = {"houlsby": ["attention.output", "output"], "attn": ["attention.output"], "ffn": ["output"]}
ACTIVATIONS = {"relu": F.relu, "gelu": F.gelu, "swish": F.silu}  # gelu: erf GELU; swish: x * sigmoid(x)
NO_DECAY = ("bias", "LayerNorm.weight")  # CodeXGLUE's no_decay list, matched anywhere in the lab name
PEFT_PREFIX = "base_model.model."


class MethodNotSupported(ValueError):
    """A configuration this module cannot express (the message says which field and what to do)."""


def layers_of(method: dict, peft: dict, num_layers: int) -> list[int]:
    own = method.get("layers")
    adds = method["type"] in ("lora", "adapter", "prefix", "ia3")
    chosen = own if own is not None else (peft.get("layers") if adds else None)
    return list(range(num_layers)) if chosen is None else [int(x) for x in chosen]


def matches_target(targets: list[str], path: str) -> bool:
    """The lab's (and peft's) rule: a name matches a path equal to it or ending in "." + name; a single name
    with regex characters is a full-match regular expression."""
    if len(targets) == 1 and re.search(r"[\\^$*+?()\[\]{}|]", targets[0]):
        return re.fullmatch(targets[0], path) is not None
    return any(path == t or path.endswith("." + t) for t in targets)


def lora_paths(method: dict, peft: dict, num_layers: int, key: str = "targets") -> list[str]:
    """Full module paths of the encoder linears `method[key]` selects, in its layers (LoRA's and (IA)³'s targets)."""
    layers = layers_of(method, peft, num_layers)
    paths = [f"encoder.layer.{l}.{s}" for l in range(num_layers) for s in LINEAR_SITES]
    return [p for p in paths if int(p.split(".")[2]) in layers and matches_target(list(method[key]), p)]


class Bottleneck(nn.Module):
    """y -> y + up(act(down(y))). Init as AdapterHub's "bert" scheme: weights N(0, 0.02), biases 0."""

    def __init__(self, hidden: int, size: int, activation: str) -> None:
        super().__init__()
        self.down = nn.Linear(hidden, size)
        self.up = nn.Linear(size, hidden)
        self.activation = activation
        for lin in (self.down, self.up):
            nn.init.normal_(lin.weight, std=0.02)
            nn.init.zeros_(lin.bias)

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        return y + self.up(ACTIVATIONS[self.activation](self.down(y)))


def _adapter_hook(adapter: Bottleneck):
    return lambda _module, _inputs, output: adapter(output)


def attach_adapters(encoder: nn.Module, method: dict, peft: dict) -> None:
    """Adds a Bottleneck as `<site>.adapter` (the lab's parameter names) and runs it on the site's dropout
    output, which is where the lab applies it: after the output dense and its dropout, before LN(x + y)."""
    hidden = encoder.config.hidden_size
    for l in layers_of(method, peft, encoder.config.num_hidden_layers):
        layer = encoder.encoder.layer[l]
        for site in ADAPTER_SITES[method["placement"]]:
            owner = layer.attention.output if site == "attention.output" else layer.output
            w = owner.dense.weight
            owner.adapter = Bottleneck(hidden, int(method["size"]), method["activation"]).to(w.device, w.dtype)
            owner.dropout.register_forward_hook(_adapter_hook(owner.adapter))


def _base_trainable(method: dict, name: str) -> bool:
    """Which base weights (Hugging Face names) a method unfreezes, as src/engine/peft/base_methods.ts."""
    t = method["type"]
    in_layers = name.startswith("encoder.layer.")
    if t == "full":
        return True
    if t == "bitfit":
        return in_layers and name.endswith(".bias")
    if t == "layernorm":
        return in_layers and ".LayerNorm." in name
    if t == "telly":
        return name.startswith("pooler.") or (in_layers and int(name.split(".")[2]) >= int(method["k"]))
    if t == "lwo":
        return in_layers
    return False


def lwo_active_layers(method: dict, num_layers: int, step: int, seed: int) -> list[int]:
    """The layers LWO trains at 0-based `step`: src/engine/peft/lwo.ts, line for line (the same seeded order)."""
    group, phase_steps = int(method["group"]), int(method["phaseSteps"])
    groups = math.ceil(num_layers / group)
    phase = step // phase_steps
    cycle, slot = phase // groups, phase % groups
    if method["schedule"] == "bottom-up":
        g = slot
    elif method["schedule"] == "top-down":
        g = groups - 1 - slot
    else:
        order = list(range(groups))
        s = (seed ^ ((cycle + 1) * 0x9E3779B9)) & 0xFFFFFFFF
        for i in range(groups - 1, 0, -1):
            s = (s * 1664525 + 1013904223) & 0xFFFFFFFF
            j = s % (i + 1)
            order[i], order[j] = order[j], order[i]
        g = order[slot]
    first = g * group
    return list(range(first, min(first + group, num_layers)))


def peft_lora_config(method: dict, peft: dict, num_layers: int):
    from peft import LoraConfig

    # An explicit module list keeps peft from matching what the lab does not adapt (e.g. pooler.dense).
    return LoraConfig(
        r=int(method["r"]),
        lora_alpha=float(method["alpha"]),
        lora_dropout=float(method.get("dropout", 0.0)),
        target_modules=lora_paths(method, peft, num_layers),
        use_rslora=bool(method.get("rslora", False)),
        rank_pattern=dict(method.get("rankPattern") or {}),
        alpha_pattern=dict(method.get("alphaPattern") or {}),
        bias="none",
    )


def peft_ia3_config(method: dict, peft: dict, num_layers: int):
    from peft import IA3Config

    # Explicit module paths, as for LoRA; the feed-forward ones (input scaled) are among the targets.
    targets = lora_paths(method, peft, num_layers)
    feedforward = [p for p in lora_paths(method, peft, num_layers, "feedforward") if p in targets]
    return IA3Config(target_modules=targets, feedforward_modules=feedforward, init_ia3_weights=True)


def peft_prefix_config(method: dict, peft: dict, config) -> object:
    from peft import PrefixTuningConfig

    if layers_of(method, peft, config.num_hidden_layers) != list(range(config.num_hidden_layers)):
        raise MethodNotSupported("prefix.layers: peft's prefix-tuning puts a prefix in every layer; remove the layer restriction")
    proj = method.get("projection")
    return PrefixTuningConfig(
        task_type="FEATURE_EXTRACTION",
        num_virtual_tokens=int(method["length"]),
        prefix_projection=proj is not None,
        encoder_hidden_size=int(proj["hidden"]) if proj else config.hidden_size,
        num_layers=config.num_hidden_layers,
        token_dim=config.hidden_size,
        num_attention_heads=config.num_attention_heads,
    )


class LabModel(nn.Module):
    """A RobertaModel with the run's methods attached; forward(ids) gives the run's embedding."""

    def __init__(self, encoder: nn.Module, peft: dict, recipe: dict, seed: int = 0) -> None:
        super().__init__()
        methods = list(peft["methods"])
        types = [m["type"] for m in methods]
        peft_methods = [t for t in types if t in ("lora", "prefix", "ia3")]
        if len(peft_methods) > 1:
            raise MethodNotSupported(f"{' + '.join(peft_methods)} in one run: peft cannot combine them in one model")
        self.config = encoder.config
        self.pad = encoder.config.pad_token_id
        self.pooling = recipe.get("pooling", "pooler")
        self.normalize = bool(recipe.get("normalize", False))
        self.scale = float(recipe.get("scale", 1.0))
        self.seed = seed
        self.lwo = next((m for m in methods if m["type"] == "lwo"), None)
        self.prefix = next((m for m in methods if m["type"] == "prefix"), None)
        base_names = [n for n, _ in encoder.named_parameters()]
        self.base_total = sum(p.numel() for p in encoder.parameters())
        train_base = {n for n in base_names if any(_base_trainable(m, n) for m in methods)}
        if peft.get("trainPooler"):
            train_base |= {n for n in base_names if n.startswith("pooler.")}
        for m in methods:
            if m["type"] == "adapter":
                attach_adapters(encoder, m, peft)
        added = {n for n, _ in encoder.named_parameters()} - set(base_names)
        for n, p in encoder.named_parameters():
            p.requires_grad_(n in train_base or n in added)
        lora = next((m for m in methods if m["type"] == "lora"), None)
        ia3 = next((m for m in methods if m["type"] == "ia3"), None)
        self.net: nn.Module = encoder
        if lora is not None or ia3 is not None or self.prefix is not None:
            from peft import get_peft_model

            L = self.config.num_hidden_layers
            if lora:
                cfg = peft_lora_config(lora, peft, L)
            elif ia3:
                cfg = peft_ia3_config(ia3, peft, L)
            else:
                cfg = peft_prefix_config(self.prefix, peft, self.config)
            self.net = get_peft_model(encoder, cfg)
            # get_peft_model freezes everything but its own tensors: unfreeze what the other methods train.
            for n, p in self.net.named_parameters():
                lab = lab_name(n)
                if lab in train_base or lab in added:
                    p.requires_grad_(True)
        self.trainable = OrderedDict((n, p) for n, p in self.net.named_parameters() if p.requires_grad)
        self.base_names = set(base_names)

    def encoder(self) -> nn.Module:
        """The RobertaModel itself (inside peft's wrapper when there is one)."""
        return self.net.get_base_model() if hasattr(self.net, "get_base_model") else self.net

    def drop_inactive_grads(self, step: int) -> None:
        """LWO, after backward: tensors outside the active group lose their gradient, so clipping ignores them and
        AdamW skips them, as in the lab. (Dropping grads rather than freezing keeps DistributedDataParallel's
        set of parameters fixed.)"""
        if self.lwo is None:
            return
        active = set(lwo_active_layers(self.lwo, self.config.num_hidden_layers, step, self.seed))
        for n, p in self.trainable.items():
            layer = layer_of(lab_name(n))
            if layer is not None and layer not in active:
                p.grad = None

    def forward(self, ids: torch.Tensor, other: torch.Tensor | None = None):
        """The embedding of a batch of ids; given a second batch (the queries), both, from one forward call —
        DistributedDataParallel expects one forward per backward."""
        return self.embed(ids) if other is None else (self.embed(ids), self.embed(other))

    def embed(self, ids: torch.Tensor) -> torch.Tensor:
        mask = ids.ne(self.pad)
        out = self.net(input_ids=ids, attention_mask=mask.long())
        if self.pooling == "pooler":
            vec = out.pooler_output
        elif self.pooling == "cls":
            vec = out.last_hidden_state[:, 0]
        else:  # mean over the non-pad tokens (<s> and </s> included), as UniXcoder
            m = mask.to(out.last_hidden_state.dtype)
            vec = (out.last_hidden_state * m[:, :, None]).sum(1) / m.sum(-1)[:, None]
        return F.normalize(vec, p=2, dim=1) if self.normalize else vec


def layer_of(lab: str) -> int | None:
    return int(lab.split(".")[2]) if lab.startswith("encoder.layer.") else None


def lab_name(name: str) -> str:
    """peft's parameter name -> the lab's (prefix tensors keep peft's prompt_encoder names here)."""
    if name.startswith(PEFT_PREFIX):
        name = name[len(PEFT_PREFIX):]
    return name.replace(".lora_A.default.", ".lora_A.").replace(".lora_B.default.", ".lora_B.").replace(".ia3_l.default", ".ia3_l")


def no_decay(lab: str) -> bool:
    return any(k in lab for k in NO_DECAY)


def _prefix_slices(model: LabModel) -> list[tuple[str, slice]]:
    """Plain prefix: peft's one (P, 2·L·C) table, layer l's key in columns [2l·C, (2l+1)·C), value next."""
    C, L = model.config.hidden_size, model.config.num_hidden_layers
    out = []
    for l in range(L):
        out.append((f"prefix.layer.{l}.key", slice(2 * l * C, (2 * l + 1) * C)))
        out.append((f"prefix.layer.{l}.value", slice((2 * l + 1) * C, (2 * l + 2) * C)))
    return out


PREFIX_MLP = {
    "prompt_encoder.default.embedding.weight": "prefix.embedding.weight",
    "prompt_encoder.default.transform.0.weight": "prefix.mlp.0.weight",
    "prompt_encoder.default.transform.0.bias": "prefix.mlp.0.bias",
    "prompt_encoder.default.transform.2.weight": "prefix.mlp.2.weight",
    "prompt_encoder.default.transform.2.bias": "prefix.mlp.2.bias",
}


def lab_views(model: LabModel) -> list[tuple[str, str, slice | None]]:
    """(lab name, parameter name, column slice) for every trainable tensor: the plain prefix's one peft table
    is several lab tensors, everything else is one to one."""
    views: list[tuple[str, str, slice | None]] = []
    for n in model.trainable:
        if n == "prompt_encoder.default.embedding.weight" and not model.prefix.get("projection"):
            views += [(lab, n, cols) for lab, cols in _prefix_slices(model)]
        else:
            views.append((PREFIX_MLP.get(n, lab_name(n)), n, None))
    return views


def lab_tensors(model: LabModel, which: str = "data") -> "OrderedDict[str, torch.Tensor]":
    """The trainable tensors (or their .grad with which="grad") under the lab's names; missing grads are skipped."""
    out: "OrderedDict[str, torch.Tensor]" = OrderedDict()
    for lab, n, cols in lab_views(model):
        p = model.trainable[n]
        t = p.detach() if which == "data" else p.grad
        if t is not None:
            out[lab] = (t if cols is None else t[:, cols]).clone()
    return out


@torch.no_grad()
def load_lab_tensors(model: LabModel, tensors: dict) -> list[str]:
    """Copies tensors given under the lab's names into the model; returns the names it did not use."""
    used: set[str] = set()
    params = dict(model.net.named_parameters())
    by_lab = {lab_name(n): p for n, p in params.items()}
    for peft_name, lab in PREFIX_MLP.items():
        if peft_name in params:
            by_lab[lab] = params[peft_name]
    for lab, t in tensors.items():
        p = by_lab.get(lab)
        if p is not None:
            if tuple(p.shape) != tuple(t.shape):
                raise ValueError(f"{lab}: shape {tuple(t.shape)} does not fit the model's {tuple(p.shape)}")
            p.copy_(t.to(p.dtype))
            used.add(lab)
    table = params.get("prompt_encoder.default.embedding.weight")
    if table is not None and model.prefix is not None and not model.prefix.get("projection"):
        for lab, cols in _prefix_slices(model):
            if lab in tensors:
                table[:, cols] = tensors[lab].to(table.dtype)
                used.add(lab)
    return [k for k in tensors if k not in used]


def optimizer_groups(model: LabModel, weight_decay: float) -> list[dict]:
    decay = [p for n, p in model.trainable.items() if not no_decay(lab_name(n))]
    rest = [p for n, p in model.trainable.items() if no_decay(lab_name(n))]
    return [g for g in ({"params": decay, "weight_decay": weight_decay}, {"params": rest, "weight_decay": 0.0}) if g["params"]]


def in_batch_loss(nl_vec: torch.Tensor, code_vec: torch.Tensor, scale: float, offset: int = 0) -> torch.Tensor:
    """CodeXGLUE: scores = nl · codeᵀ (× scale); query i's positive is code offset + i."""
    scores = nl_vec @ code_vec.t()
    if scale != 1.0:
        scores = scores * scale
    target = torch.arange(nl_vec.shape[0], device=nl_vec.device) + offset
    return F.cross_entropy(scores, target)


def mrr_metrics(nl: torch.Tensor, code: torch.Tensor) -> dict:
    """AdvTest MRR over the whole pool: rank = 1 + #{j != i : s_ij >= s_ii} (ties count against the query)."""
    ranks = []
    for start in range(0, nl.shape[0], 256):
        s = nl[start:start + 256] @ code.t()
        idx = torch.arange(start, start + s.shape[0])
        own = s[torch.arange(s.shape[0]), idx][:, None]
        ge = (s >= own).sum(1) - 1  # minus the query's own code
        ranks.append(1 + ge)
    r = torch.cat(ranks).double()
    return {"mrr": (1.0 / r).mean().item(), "recall_1": (r <= 1).double().mean().item(),
            "recall_5": (r <= 5).double().mean().item(), "recall_10": (r <= 10).double().mean().item(), "n": int(r.numel())}
