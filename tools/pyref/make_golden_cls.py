#!/usr/bin/env python3
"""Golden fixtures for classification runs, computed by transformers.RobertaForSequenceClassification (+ peft).

Run:  .pyref/bin/python tools/pyref/make_golden_cls.py --out DIR   (tests/setup/pyref.ts runs it into
.pyref/golden/cls/ beside make_golden.py's fixtures, with the same tiny model and base weights).

Each case trains 3 steps on the same batches with the same optimizer, schedule and clipping as make_golden.py:
- cls_lora: peft LoRA (task_type SEQ_CLS: peft saves and trains the head as modules_to_save), 3 classes, the loss
  transformers' model computes from `labels`;
- cls_adapter_weighted: the lab's Houlsby adapters (lab_methods.py) on the model's `roberta` with the head
  trainable, 2 classes, torch's class-weighted cross-entropy (weight=[1, 3]);
- cls_bitfit_pair: BitFit, 2 classes, inputs built as RoBERTa pairs (<s> a </s></s> b </s>);
- cls_prefix: peft prefix-tuning with task_type SEQ_CLS (past key/values, positions after the prefix), 2 classes.
It writes the step-0 logits, losses, grad norms, every step-0 gradient and every trainable tensor after 3 steps,
under the lab's names (encoder tensors without `roberta.`, the head as `classifier.*`).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections import OrderedDict

import torch
import torch.nn.functional as F
from safetensors.torch import save_file
from transformers import RobertaConfig, RobertaForSequenceClassification, get_linear_schedule_with_warmup

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_golden import (ADAM_EPS, BETAS, BOS, CONFIG, EOS, LORA_B_STD, LR, MAX_GRAD_NORM, PAD, SEED, TOTAL, V,  # noqa: E402
                         WARMUP, WEIGHT_DECAY, make_base)
from lab_methods import attach_adapters, no_decay, peft_lora_config, peft_prefix_config  # noqa: E402

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

BATCH, LENGTH, STEPS = 4, 10, 3
HEAD_STD, HEAD_BIAS_STD = 0.2, 0.1  # far from transformers' N(0, 0.02) init, so the head carries signal
ADAPTER_UP_BIAS_STD = 0.05

CASES = [
    ("cls_lora", 3, {"methods": [{"type": "lora", "r": 4, "alpha": 8, "dropout": 0.0, "targets": ["query", "value"], "rslora": False}],
                     "layers": None, "trainPooler": False}, None, False, "peft LoRA(query, value) + head as modules_to_save, 3 classes"),
    ("cls_adapter_weighted", 2, {"methods": [{"type": "adapter", "placement": "houlsby", "size": 8, "activation": "relu"}],
                                 "layers": None, "trainPooler": False}, [1.0, 3.0], False,
     "lab Houlsby adapters + head, 2 classes, class weights [1, 3]"),
    ("cls_bitfit_pair", 2, {"methods": [{"type": "bitfit"}], "layers": None, "trainPooler": False}, None, True,
     "BitFit + head, 2 classes, pair inputs"),
    ("cls_prefix", 2, {"methods": [{"type": "prefix", "length": 3, "projection": None}], "layers": None, "trainPooler": False}, None, False,
     "peft prefix-tuning (task_type SEQ_CLS, 3 virtual tokens) + head as modules_to_save, 2 classes"),
]
PROMPT = "prompt_encoder.default.embedding.weight"


def views(net):
    """(lab name, parameter, column slice) of every trainable tensor: peft's one prefix table is the lab's per-layer
    key and value tensors (layer l's keys in columns [2lC, (2l+1)C), its values next), the rest one to one."""
    C, L = CONFIG["hidden_size"], CONFIG["num_hidden_layers"]
    out = []
    for n, p in net.named_parameters():
        if not p.requires_grad:
            continue
        if n.endswith(PROMPT):
            for l in range(L):
                out.append((f"prefix.layer.{l}.key", p, slice(2 * l * C, (2 * l + 1) * C)))
                out.append((f"prefix.layer.{l}.value", p, slice((2 * l + 1) * C, (2 * l + 2) * C)))
        else:
            out.append((lab_name(n), p, None))
    return out


def tensors_of(vs, which="data"):
    out = OrderedDict()
    for lab, p, cols in vs:
        t = p.detach() if which == "data" else p.grad
        out[lab] = (t if cols is None else t[:, cols]).detach().clone()
    return out


def lab_name(name: str) -> str:
    # LoRA's PeftModel nests the model as base_model.model, prompt learning's as base_model.
    for prefix in ("base_model.model.", "base_model.", "roberta."):
        if name.startswith(prefix):
            name = name[len(prefix):]
    name = name.replace("classifier.modules_to_save.default.", "classifier.")
    return name.replace(".lora_A.default.", ".lora_A.").replace(".lora_B.default.", ".lora_B.")


def make_ids(pair: bool) -> torch.Tensor:
    ids = torch.full((STEPS, BATCH, LENGTH), PAD, dtype=torch.int64)
    for s in range(STEPS):
        for b in range(BATCH):
            if pair:  # <s> a </s></s> b </s>: what the lab's pair input gives the model
                na, nb = int(torch.randint(1, 3, ())), int(torch.randint(1, 4, ()))
                row = [BOS] + torch.randint(3, V, (na,)).tolist() + [EOS, EOS] + torch.randint(3, V, (nb,)).tolist() + [EOS]
            else:
                n = int(torch.randint(1, LENGTH - 1, ()))
                row = [BOS] + torch.randint(3, V, (n,)).tolist() + [EOS]
            ids[s, b, :len(row)] = torch.tensor(row)
    return ids


def build(base, classes, peft, dtype):
    cfg = RobertaConfig(**CONFIG, num_labels=classes, attn_implementation="eager")
    model = RobertaForSequenceClassification(cfg)
    state = OrderedDict((f"roberta.{k}", v) for k, v in base.items() if not k.startswith("pooler."))
    model.load_state_dict(state, strict=False)
    with torch.no_grad():
        for lin in (model.classifier.dense, model.classifier.out_proj):
            lin.weight.normal_(0, HEAD_STD)
            lin.bias.normal_(0, HEAD_BIAS_STD)
    method = peft["methods"][0]
    for n, p in model.named_parameters():
        p.requires_grad_(n.startswith("classifier.") or (method["type"] == "bitfit" and n.startswith("roberta.encoder.layer.") and n.endswith(".bias")))
    if method["type"] == "adapter":
        attach_adapters(model.roberta, method, peft)
        with torch.no_grad():
            for n, p in model.named_parameters():
                if n.endswith("adapter.up.bias"):
                    p.normal_(0, ADAPTER_UP_BIAS_STD)
    net = model
    if method["type"] == "prefix":
        from peft import get_peft_model
        cfg = peft_prefix_config(method, peft, model.config)
        cfg.task_type = "SEQ_CLS"
        net = get_peft_model(model, cfg)
    if method["type"] == "lora":
        from peft import get_peft_model
        cfg = peft_lora_config(method, peft, CONFIG["num_hidden_layers"])
        cfg.task_type = "SEQ_CLS"
        net = get_peft_model(model, cfg)
        with torch.no_grad():
            for n, p in net.named_parameters():
                if "lora_B" in n:
                    p.normal_(0, LORA_B_STD)
    return net.to(dtype).eval()


def run_case(base, ids, labels, classes, peft, weights, dtype=torch.float32, init=None):
    torch.manual_seed(SEED + 17)
    net = build(base, classes, peft, dtype)
    vs = views(net)
    if init is not None:
        with torch.no_grad():
            for lab, p, cols in vs:
                (p if cols is None else p[:, cols]).copy_(init[lab].to(dtype))
    init = OrderedDict((k, v.float()) for k, v in tensors_of(vs).items())
    params = list(OrderedDict((id(p), p) for _, p, _ in vs).values())
    name_of = {id(p): lab for lab, p, _ in vs}
    groups = [{"params": [p for p in params if not no_decay(name_of[id(p)])], "weight_decay": WEIGHT_DECAY},
              {"params": [p for p in params if no_decay(name_of[id(p)])], "weight_decay": 0.0}]
    opt = torch.optim.AdamW([g for g in groups if g["params"]], lr=LR, betas=BETAS, eps=ADAM_EPS, foreach=False)
    sched = get_linear_schedule_with_warmup(opt, WARMUP, TOTAL)
    w = None if weights is None else torch.tensor(weights, dtype=dtype)
    losses, norms, grads0, logits0 = [], [], None, None
    for step in range(STEPS):
        opt.zero_grad(set_to_none=True)
        mask = ids[step].ne(PAD).long()
        out = net(input_ids=ids[step], attention_mask=mask, labels=labels[step])
        loss = out.loss if w is None else F.cross_entropy(out.logits, labels[step], weight=w)
        loss.backward()
        if step == 0:
            logits0 = out.logits.detach().clone()
            grads0 = tensors_of(vs, "grad")
        norms.append(torch.nn.utils.clip_grad_norm_(params, MAX_GRAD_NORM).item())
        losses.append(loss.item())
        opt.step()
        sched.step()
    final = tensors_of(vs)
    return dict(init=init, losses=losses, norms=norms, grads0=grads0, logits0=logits0, final=final)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    out = ap.parse_args().out
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(SEED)
    base = make_base()  # make_golden.py's base weights: the same draw from the same seed
    for name, classes, peft, weights, pair, desc in CASES:
        torch.manual_seed(SEED + len(name))
        ids = make_ids(pair)
        labels = torch.randint(0, classes, (STEPS, BATCH))
        res = run_case(base, ids, labels, classes, peft, weights)
        ref = run_case(base, ids, labels, classes, peft, weights, torch.float64, res["init"])
        unstable = [k for k in res["final"] if (res["final"][k].double() - ref["final"][k]).abs().max().item() > 1e-4]
        t = OrderedDict(ids=ids.to(torch.int32), labels=labels.to(torch.int32), logits0=res["logits0"])
        t.update((f"init.{k}", v) for k, v in res["init"].items())
        t.update((f"grad.{k}", v) for k, v in res["grads0"].items())
        t.update((f"final.{k}", v) for k, v in res["final"].items())
        save_file({k: v.contiguous() for k, v in t.items()}, os.path.join(out, f"{name}.safetensors"), {"case": name})
        meta = OrderedDict(case=name, description=desc, classes=classes, peft=peft, classWeights=weights, pair=pair,
                           reference="transformers.RobertaForSequenceClassification" + (" + peft" if peft["methods"][0]["type"] in ("lora", "prefix") else " + lab_methods.py"),
                           batch=OrderedDict(size=BATCH, length=LENGTH, steps=STEPS),
                           optimizer=OrderedDict(lr=LR, betas=list(BETAS), eps=ADAM_EPS, weightDecay=WEIGHT_DECAY, maxGradNorm=MAX_GRAD_NORM),
                           schedule=OrderedDict(warmupSteps=WARMUP, totalSteps=TOTAL), trainable=list(res["final"].keys()),
                           unstable=unstable, losses=res["losses"], gradNorms=res["norms"])
        with open(os.path.join(out, f"{name}.json"), "w") as f:
            json.dump(meta, f, indent=1)
        print(f"{name:22s} losses {' '.join(f'{x:.5f}' for x in res['losses'])}  norms {' '.join(f'{x:.3f}' for x in res['norms'])}  unstable {len(unstable)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
