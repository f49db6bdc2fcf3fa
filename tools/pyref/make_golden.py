#!/usr/bin/env python3
"""Golden fixtures for the engine tests, computed by the real Hugging Face stack.

Run:  .pyref/bin/python tools/pyref/make_golden.py --out DIR   (tests/setup/pyref.ts runs it before `npm test`
into .pyref/golden/, again only when this script, lab_methods.py or the pinned requirements change).

The model is transformers.RobertaModel (eager attention, dropout 0) built from a tiny RobertaConfig and saved
with save_pretrained (safetensors and pytorch_model.bin). LoRA and prefix-tuning are real peft models
(get_peft_model); bottleneck adapters, BitFit, LayerNorm-only, full, Telly and LWO are the lab's methods on
RobertaModel from src/engine/export_run/python/lab_methods.py. Each case trains 3 steps of the CodeXGLUE
objective with torch.optim.AdamW, transformers.get_linear_schedule_with_warmup and clip_grad_norm_, and writes
the step-0 embeddings, losses, grad norms, every step-0 gradient and every trainable tensor after 3 steps
(docs/PARITY.md); the case JSON names the inputs, the trainable tensors and their AdamW step counts. Every case is rerun in float64 to find tensors whose final value
is float32 noise ("unstable": the attention key bias, whose exact gradient is 0). Deterministic.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections import OrderedDict

import torch
from safetensors.torch import save_file
from transformers import RobertaConfig, RobertaModel, get_linear_schedule_with_warmup

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "src", "engine", "export_run", "python"))
from lab_methods import LabModel, in_batch_loss, lab_tensors, lab_views, load_lab_tensors, no_decay, optimizer_groups  # noqa: E402

torch.set_num_threads(1)  # single-threaded CPU kernels: bit-identical reruns
torch.use_deterministic_algorithms(True)

SEED = 123456
CONFIG = dict(vocab_size=50, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=48,
              max_position_embeddings=24, type_vocab_size=1, layer_norm_eps=1e-5, pad_token_id=1, bos_token_id=0,
              eos_token_id=2, hidden_act="gelu", hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
V, C, L = CONFIG["vocab_size"], CONFIG["hidden_size"], CONFIG["num_hidden_layers"]
PAD, BOS, EOS = 1, 0, 2
BATCH, CODE_LEN, NL_LEN, STEPS = 3, 10, 7, 3
# Real-token counts (without <s> and </s>) of every row: each batch has a full row and at least one padded row.
CODE_REAL = [[8, 3, 6], [5, 8, 1], [7, 2, 8]]
NL_REAL = [[2, 5, 4], [5, 1, 3], [3, 5, 5]]
LR, BETAS, ADAM_EPS, WEIGHT_DECAY, MAX_GRAD_NORM, WARMUP, TOTAL = 1e-2, (0.9, 0.999), 1e-8, 0.01, 1.0, 2, 5
LORA_B_STD = 0.05  # peft inits lora_B to zeros; a random B makes grad(lora_A) non-zero
ADAPTER_UP_BIAS_STD = 0.05  # AdapterHub inits biases to 0; a random up-bias keeps the adapter output off 0
IA3_STD = 0.1  # peft inits the (IA)³ vectors to 1; 1 + noise makes the scaling visible in the step-0 outputs
UNSTABLE_ATOL = 1e-4


def lora(r, alpha, targets, rslora=False, layers=None, **patterns):
    m = OrderedDict(type="lora", r=r, alpha=alpha, dropout=0.0, targets=targets, rslora=rslora)
    if layers is not None:
        m["layers"] = layers
    m.update(patterns)
    return m


def cfg(methods, layers=None):
    return OrderedDict(methods=methods, layers=layers, trainPooler=False)


def adapter(placement, size, act):
    return OrderedDict(type="adapter", placement=placement, size=size, activation=act)


def prefix(length, hidden=None):
    return OrderedDict(type="prefix", length=length, projection=None if hidden is None else {"hidden": hidden})


ALL6 = ["query", "key", "value", "attention.output.dense", "intermediate.dense", "output.dense"]
CASES = [
    ("full", cfg([{"type": "full"}]), {}, "full fine-tuning: every base weight"),
    ("bitfit", cfg([{"type": "bitfit"}]), {}, "BitFit: every bias inside encoder.layer.*"),
    ("layernorm", cfg([{"type": "layernorm"}]), {}, "LayerNorm-only inside encoder.layer.*"),
    ("lora", cfg([lora(4, 8, ["query", "value"])]), {}, "peft LoRA on query,value; r=4, alpha=8"),
    ("lora_all", cfg([lora(2, 4, ALL6, rslora=True)]), {}, "peft LoRA on all six linears, rsLoRA"),
    ("lora_layers", cfg([lora(3, 6, ["key", "intermediate.dense"], layers=[1])]), {},
     "peft LoRA on key and intermediate.dense of layer 1 only (layers_to_transform)"),
    ("lora_patterns", cfg([lora(4, 8, ["query", "value", "intermediate.dense"], rankPattern={"layer.1.attention.self.query": 2},
                                alphaPattern={"intermediate.dense": 3})]), {},
     "peft LoRA with rank_pattern (layer 1 query: r=2) and alpha_pattern (intermediate.dense: alpha 3)"),
    ("adapter_houlsby", cfg([adapter("houlsby", 8, "relu")]), {}, "adapters after attention and FFN; relu"),
    ("adapter_attn", cfg([adapter("attn", 5, "gelu")]), {}, "adapter after attention; gelu (erf)"),
    ("adapter_ffn", cfg([adapter("ffn", 8, "swish")]), {}, "adapter after the FFN (Pfeiffer); swish"),
    ("prefix", cfg([prefix(3)]), {}, "peft prefix-tuning, 3 virtual tokens, no projection"),
    ("prefix_mlp", cfg([prefix(3, 16)]), {}, "peft prefix-tuning with prefix_projection (hidden 16)"),
    ("telly1", cfg([{"type": "telly", "k": 1}]), {}, "Telly-1: embeddings and layer 0 frozen"),
    ("lwo", cfg([{"type": "lwo", "group": 1, "schedule": "bottom-up", "phaseSteps": 1}]), {},
     "LWO: group 1, bottom-up, one step per phase"),
    ("loff", cfg([lora(4, 8, ["query", "value"]), adapter("ffn", 8, "relu")], layers=[1]), {},
     "loFF: peft LoRA(query,value) + FFN adapter, both only in layer 1"),
    ("ia3", cfg([OrderedDict(type="ia3", targets=["key", "value", "output.dense"], feedforward=["output.dense"])]), {},
     "peft (IA)3 with its RoBERTa defaults: key and value outputs scaled, both output.dense inputs scaled"),
    ("ia3_layers", cfg([OrderedDict(type="ia3", targets=["query", "intermediate.dense", "output.dense"], feedforward=["attention.output.dense"],
                                    layers=[1])]), {},
     "peft (IA)3 on layer 1: query and intermediate.dense outputs and output.dense scaled, attention.output.dense's input"),
    ("lora_mean_norm", cfg([lora(4, 8, ["query", "value"])]), {"pooling": "mean", "normalize": True, "scale": 20},
     "peft LoRA with UniXcoder pooling: masked mean, L2-normalize, x20"),
]


# RobertaModel's parameter names and shapes, in its order (read before seeding: building a model draws numbers).
BASE_SHAPES = OrderedDict((n, t) for n, t in RobertaModel(RobertaConfig(**CONFIG)).state_dict().items())


def make_base() -> "OrderedDict[str, torch.Tensor]":
    """Random weights far from RobertaModel's N(0, 0.02) init, so every path carries signal."""
    w: "OrderedDict[str, torch.Tensor]" = OrderedDict()
    for name, t in BASE_SHAPES.items():
        if name.endswith("LayerNorm.weight"):
            w[name] = 1.0 + 0.1 * torch.randn(t.shape)
        elif name.endswith("bias"):
            w[name] = 0.1 * torch.randn(t.shape)
        else:
            w[name] = 0.2 * torch.randn(t.shape)
    return w


def make_ids(real, length) -> torch.Tensor:
    ids = torch.full((STEPS, BATCH, length), PAD, dtype=torch.int64)
    for s in range(STEPS):
        for b in range(BATCH):
            n = real[s][b]
            ids[s, b, 0] = BOS
            ids[s, b, 1:1 + n] = torch.randint(3, V, (n,))
            ids[s, b, 1 + n] = EOS
    return ids


def encoder(base, dtype) -> RobertaModel:
    m = RobertaModel(RobertaConfig(**CONFIG, attn_implementation="eager"), add_pooling_layer=True)
    m.load_state_dict(base)
    return m.to(dtype).eval()  # eval(): no dropout anywhere (they are 0 too)


def fixture_init(model: LabModel) -> "OrderedDict[str, torch.Tensor]":
    """The added tensors' starting values: the methods' own inits, plus the two fixture-only choices above."""
    init = OrderedDict((k, v) for k, v in lab_tensors(model).items() if not _is_base(k))
    for k in init:
        if k.endswith("lora_B.weight"):
            init[k] = LORA_B_STD * torch.randn(init[k].shape)
        elif k.endswith("adapter.up.bias"):
            init[k] = ADAPTER_UP_BIAS_STD * torch.randn(init[k].shape)
        elif k.endswith(".ia3_l"):
            init[k] = 1.0 + IA3_STD * torch.randn(init[k].shape)
    return init


def _is_base(lab: str) -> bool:
    return lab in BASE_SHAPES


def run_case(base, code_ids, nl_ids, peft, head, seed, dtype=torch.float32, init=None):
    torch.manual_seed(seed)
    model = LabModel(encoder(base, dtype), peft, head, seed=SEED)
    if init is None:
        init = fixture_init(model)
    unused = load_lab_tensors(model, {k: v.to(dtype) for k, v in init.items()})
    assert not unused, unused
    trainable = list(lab_tensors(model).keys())
    opt = torch.optim.AdamW(optimizer_groups(model, WEIGHT_DECAY), lr=LR, betas=BETAS, eps=ADAM_EPS, foreach=False)
    sched = get_linear_schedule_with_warmup(opt, WARMUP, TOTAL)
    params = list(model.trainable.values())
    losses, norms, lrs, grads0, vecs0 = [], [], [], None, None
    for step in range(STEPS):
        opt.zero_grad(set_to_none=True)
        code_vec, nl_vec = model(code_ids[step]), model(nl_ids[step])
        loss = in_batch_loss(nl_vec, code_vec, float(head.get("scale", 1)))
        loss.backward()
        model.drop_inactive_grads(step)
        if step == 0:
            vecs0 = (code_vec.detach().clone(), nl_vec.detach().clone())
            grads0 = lab_tensors(model, "grad")
        lrs.append(opt.param_groups[0]["lr"])
        norms.append(torch.nn.utils.clip_grad_norm_(params, MAX_GRAD_NORM).item())
        losses.append(loss.item())
        opt.step()
        sched.step()
    final = lab_tensors(model)
    state = {n: int(opt.state[p]["step"].item()) if p in opt.state else 0 for n, p in model.trainable.items()}
    steps = OrderedDict((lab, state[n]) for lab, n, _ in lab_views(model))
    return dict(init=init, trainable=trainable, losses=losses, norms=norms, lrs=lrs, grads0=grads0, vecs0=vecs0,
                final=final, adam_steps=steps)


def unstable_of(res, ref) -> list[str]:
    return [n for n in res["trainable"] if (res["final"][n].double() - ref["final"][n]).abs().max().item() > UNSTABLE_ATOL]


def case_json(name, peft, head, desc, res) -> dict:
    return OrderedDict(
        case=name, description=desc, peft=peft, pooling=head.get("pooling", "pooler"),
        normalize=bool(head.get("normalize", False)), scale=head.get("scale", 1),
        reference="transformers.RobertaModel + " + ("peft" if any(m["type"] in ("lora", "prefix", "ia3") for m in peft["methods"]) else "lab_methods.py"),
        batch=OrderedDict(size=BATCH, codeLength=CODE_LEN, nlLength=NL_LEN, steps=STEPS),
        optimizer=OrderedDict(type="torch.optim.AdamW", lr=LR, betas=list(BETAS), eps=ADAM_EPS, weightDecay=WEIGHT_DECAY,
                              maxGradNorm=MAX_GRAD_NORM),
        schedule=OrderedDict(type="get_linear_schedule_with_warmup", warmupSteps=WARMUP, totalSteps=TOTAL, lrs=res["lrs"]),
        trainable=res["trainable"], added=list(res["init"].keys()),
        decay=[n for n in res["trainable"] if not no_decay(n)], adamSteps=res["adam_steps"],
        unstable=res["unstable"], losses=res["losses"], gradNorms=res["norms"],
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    out = ap.parse_args().out
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(SEED)
    base = make_base()
    code_ids, nl_ids = make_ids(CODE_REAL, CODE_LEN), make_ids(NL_REAL, NL_LEN)
    model = encoder(base, torch.float32)
    model.save_pretrained(os.path.join(out, "model"))
    # transformers 5 saves only safetensors; pytorch_model.bin is what save_pretrained wrote before (torch.save of
    # the state dict, zip format), still loaded by from_pretrained and found in older checkpoints such as codebert.
    model.config.save_pretrained(os.path.join(out, "model_bin"))
    torch.save(model.state_dict(), os.path.join(out, "model_bin", "pytorch_model.bin"))
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(model.config.to_dict(), f, indent=2)
    save_file(base, os.path.join(out, "base.safetensors"), {"format": "pt"})
    save_file({"code_ids": code_ids.to(torch.int32), "nl_ids": nl_ids.to(torch.int32)}, os.path.join(out, "batches.safetensors"))
    for idx, (name, peft, head, desc) in enumerate(CASES):
        res = run_case(base, code_ids, nl_ids, peft, head, SEED + 1 + idx)
        ref = run_case(base, code_ids, nl_ids, peft, head, SEED + 1 + idx, torch.float64, res["init"])
        res["unstable"] = unstable_of(res, ref)
        t = OrderedDict(code_vec=res["vecs0"][0], nl_vec=res["vecs0"][1])
        t.update((f"init.{k}", v) for k, v in res["init"].items())
        t.update((f"grad.{k}", v) for k, v in res["grads0"].items())
        t.update((f"final.{k}", v) for k, v in res["final"].items())
        save_file({k: v.contiguous() for k, v in t.items()}, os.path.join(out, f"{name}.safetensors"), {"case": name})
        with open(os.path.join(out, f"{name}.json"), "w") as f:
            json.dump(case_json(name, peft, head, desc, res), f, indent=1)
        print(f"{name:16s} losses {' '.join(f'{x:.5f}' for x in res['losses'])}  norms {' '.join(f'{x:.3f}' for x in res['norms'])}"
              f"  unstable {len(res['unstable'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
