#!/usr/bin/env python3
"""A lab run on the real Hugging Face stack, on one GPU, several, or several machines (written by `lab export-run`).

    accelerate launch train.py                       # settings from run_config.json and data.json beside it
    accelerate launch --num_processes 8 train.py     # data parallel: --batch is the global batch
    torchrun --standalone --nproc_per_node 2 train.py   # the same on CPU processes (gloo)

It implements the lab's recipe exactly (docs/CLUSTER.md in the lab): the model and methods of run_config.json
(transformers RobertaModel, peft LoRA / prefix-tuning, the lab's adapters, BitFit, Telly, LWO from
lab_methods.py), the CodeXGLUE objective with in-batch negatives, AdamW with the lab's decay groups, linear
warmup and decay (get_linear_schedule_with_warmup), gradient clipping, the lab's data order (its seeded epoch
permutation, or file order), evaluation (MRR over the whole validation pool) every evalEvery steps with the
best weights kept, metrics.jsonl in the lab's schema, and the lab's export formats.

In-batch negatives under data parallelism (--negatives): "gather" (default) all-gathers the code and query
embeddings (with gradients) so every query is scored against the whole global batch: the loss and the
gradients are those of one device with the global batch, as in the lab. "local" scores each device's share
alone (cheaper, fewer negatives: a different objective for the same batch size).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
import time

import torch
import torch.distributed as dist

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import lab_data  # noqa: E402
import lab_methods as lm  # noqa: E402


def parse_args() -> argparse.Namespace:
    """Flags win; otherwise data.json beside the run configuration, with its paths relative to that folder."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", default=os.path.join(HERE, "run_config.json"), help="the lab's run configuration")
    ap.add_argument("--model", help="model folder or Hugging Face id")
    ap.add_argument("--train", help="training shard (.jsonl, .jsonl.gz, .json, .parquet)")
    ap.add_argument("--valid", help="validation shard (MRR over its whole pool)")
    ap.add_argument("--init", help="the lab's starting values for the added tensors (safetensors)")
    ap.add_argument("--out", help="metrics.jsonl and the trained weights go here")
    ap.add_argument("--negatives", choices=["gather", "local"], default="gather")
    ap.add_argument("--max-steps", type=int, default=None, help="stop after this many steps (the schedule is unchanged)")
    a = ap.parse_args()
    folder = os.path.dirname(os.path.abspath(a.config))
    data_file = os.path.join(folder, "data.json")
    data = json.load(open(data_file)) if os.path.exists(data_file) else {}
    for key in ("model", "train", "valid", "init", "out"):
        if getattr(a, key) is None and data.get(key) is not None:
            value = data[key]
            local = os.path.join(folder, value)
            # A Hub id stays as it is; a relative path is relative to data.json's folder.
            setattr(a, key, local if not os.path.isabs(value) and (key == "out" or os.path.exists(local)) else value)
    for key in ("model", "train"):
        if not getattr(a, key):
            ap.error(f"--{key} is required (or set it in {data_file})")
    a.out = a.out or os.path.join(folder, "out")
    return a


def gather_rows(x: torch.Tensor) -> torch.Tensor:
    """All processes' rows in rank order, with gradients flowing back to each process's own rows."""
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return x
    import warnings

    with warnings.catch_warnings():  # deprecated in favour of a private API; still the autograd-aware gather
        warnings.simplefilter("ignore", FutureWarning)
        from torch.distributed.nn.functional import all_gather

        return torch.cat(all_gather(x), dim=0)


class Metrics:
    def __init__(self, path: str, main: bool) -> None:
        self.f = open(path, "w") if main else None
        self.t0 = time.perf_counter()

    def emit(self, event: dict) -> None:
        if self.f:
            self.f.write(json.dumps(event) + "\n")
            self.f.flush()
            if event["type"] in ("eval", "done") or (event["type"] == "step" and (event["step"] % 10 == 0 or event["step"] == 1)):
                print(" ".join(f"{k}={v:.5g}" if isinstance(v, float) else f"{k}={v}" for k, v in event.items()), flush=True)

    def close(self) -> None:
        if self.f:
            self.f.close()
            self.f = None

    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self.t0) * 1000


@torch.no_grad()
def evaluate(model: lm.LabModel, tok, valid: tuple, recipe: dict, device) -> dict:
    model.eval()
    codes, queries = valid
    vecs = []
    for texts, length in ((codes, recipe["codeLength"]), (queries, recipe["nlLength"])):
        out = []
        for s in range(0, len(texts), recipe.get("evalBatchSize", 16)):
            ids = torch.tensor(lab_data.build_ids(tok, texts[s:s + recipe.get("evalBatchSize", 16)], length), device=device)
            out.append(model(ids).float().cpu())
        vecs.append(torch.cat(out))
    model.train()
    return lm.mrr_metrics(vecs[1], vecs[0])


def export(model: lm.LabModel, weights: dict, run: dict, args, base_model: str) -> list:
    """The lab's formats: peft for LoRA / prefix alone, the lab's adapter format otherwise, a model folder for
    trained base weights. `weights` are the trainable tensors (lab names) to write."""
    from safetensors.torch import save_file

    lm.load_lab_tensors(model, weights)
    types = [m["type"] for m in run["peft"]["methods"]]
    written = []
    added = {k: v for k, v in weights.items() if k not in model.base_names}
    if added and types in (["lora"], ["prefix"]):
        model.net.save_pretrained(args.out)
        written += ["adapter_config.json", "adapter_model.safetensors"]
    if added and types != ["lora"]:
        lab_model = dict(model.config.to_dict())
        meta = {"format": "webgpu-finetuning-lab/peft", "version": 1, "base_model": base_model, "model": lab_model, "peft": run["peft"]}
        json.dump(meta, open(os.path.join(args.out, "lab_peft.json"), "w"), indent=2)
        save_file({k: v.contiguous() for k, v in added.items()}, os.path.join(args.out, "lab_adapter.safetensors"), {"format": "webgpu-finetuning-lab/peft"})
        written += ["lab_peft.json", "lab_adapter.safetensors"]
    if any(k in model.base_names for k in weights):
        enc = model.encoder()
        state = {n: p.detach().contiguous() for n, p in enc.named_parameters() if n in model.base_names}
        save_file(state, os.path.join(args.out, "model.safetensors"), {"format": "pt"})
        enc.config.save_pretrained(args.out)
        for f in ("vocab.json", "merges.txt", "tokenizer.json"):
            if os.path.isdir(args.model) and os.path.exists(os.path.join(args.model, f)):
                shutil.copy(os.path.join(args.model, f), args.out)
        written += ["config.json", "model.safetensors"]
    return written


def main() -> None:
    args = parse_args()
    from accelerate import Accelerator
    from accelerate.utils import DistributedDataParallelKwargs, DistributedType
    from safetensors.torch import load_file
    from transformers import AutoTokenizer, RobertaModel, get_linear_schedule_with_warmup

    run = json.load(open(args.config))
    recipe, peft = run["recipe"], run["peft"]
    # Several processes and no CUDA: data parallel on CPU processes (gloo), which accelerate only does when told.
    cpu = not torch.cuda.is_available() and int(os.environ.get("WORLD_SIZE", "1")) > 1
    # Under cls/mean pooling a trained pooler gets no gradient, which DDP must be told to expect.
    unused = DistributedDataParallelKwargs(find_unused_parameters=recipe.get("pooling", "pooler") != "pooler")
    acc = Accelerator(cpu=cpu, kwargs_handlers=[unused])
    world, rank = acc.num_processes, acc.process_index
    B = int(recipe["batchSize"])
    if B % world:
        sys.exit(f"the batch size {B} is not a multiple of the {world} processes: each needs an equal share")
    torch.manual_seed(int(recipe["seed"]))
    tok = AutoTokenizer.from_pretrained(args.model)
    encoder = RobertaModel.from_pretrained(args.model, hidden_dropout_prob=float(recipe["hiddenDropout"]),
                                           attention_probs_dropout_prob=float(recipe["attentionDropout"]))
    model = lm.LabModel(encoder, peft, recipe, seed=int(recipe["seed"]))
    if args.init:
        extra = lm.load_lab_tensors(model, load_file(args.init))
        if extra:
            sys.exit(f"{args.init}: tensors this configuration does not have: {extra[:3]}")
    codes, queries, skipped = lab_data.examples(args.train)
    code_ids = torch.tensor(lab_data.build_ids(tok, codes, int(recipe["codeLength"])))
    nl_ids = torch.tensor(lab_data.build_ids(tok, queries, int(recipe["nlLength"])))
    valid = lab_data.examples(args.valid)[:2] if args.valid else None
    n = len(codes)
    per_epoch = n // B
    if per_epoch < 1:
        sys.exit(f"the training set has {n} examples, fewer than one batch of {B}")
    total = int(recipe["steps"]) if recipe.get("steps") else int(math.floor(float(recipe["epochs"]) * per_epoch))
    opt = torch.optim.AdamW(lm.optimizer_groups(model, float(recipe["weightDecay"])), lr=float(recipe["lr"]),
                            betas=(0.9, 0.999), eps=1e-8)
    sched = get_linear_schedule_with_warmup(opt, int(recipe["warmupSteps"]), total)
    # The schedule is the lab's per optimizer step; accelerate's wrapper would advance it once per process.
    model, opt = acc.prepare(model, opt)
    inner: lm.LabModel = acc.unwrap_model(model)
    model.train()  # from_pretrained leaves the model in eval mode: dropout would be off
    params = list(inner.trainable.values())
    os.makedirs(args.out, exist_ok=True)
    log = Metrics(os.path.join(args.out, "metrics.jsonl"), acc.is_main_process)
    exact = sum(p.numel() for p in params)
    base = inner.base_total
    plan_file = os.path.join(os.path.dirname(os.path.abspath(args.config)), "lab_plan.json")
    counts = json.load(open(plan_file))["trainable"] if os.path.exists(plan_file) else {"paper": exact, "percentPaper": 100 * exact / base}
    if os.path.exists(plan_file) and counts["exact"] != exact:
        sys.exit(f"this model trains {exact} parameters, the lab planned {counts['exact']}: is --model the run's model?")
    log.emit({"type": "start", "total_steps": total, "steps_per_epoch": per_epoch, "examples": n, "skipped": skipped,
              "processes": world, "negatives": args.negatives,
              "trainable": {**counts, "exact": exact, "base": base, "percentExact": 100 * exact / base}})
    share, scale = B // world, float(recipe.get("scale", 1.0))
    best, best_mrr, best_step = None, None, None
    steps = min(total, args.max_steps or total)
    order, epoch = None, -1
    for step in range(steps):
        if step // per_epoch != epoch:
            epoch = step // per_epoch
            order = lab_data.shuffle_indices(n, int(recipe["seed"]), epoch) if recipe.get("shuffle", True) else list(range(n))
        t0 = time.perf_counter()
        rows = order[(step % per_epoch) * B:(step % per_epoch + 1) * B][rank * share:(rank + 1) * share]
        code_vec, nl_vec = model(code_ids[rows].to(acc.device), nl_ids[rows].to(acc.device))
        if args.negatives == "gather":
            loss = lm.in_batch_loss(nl_vec, gather_rows(code_vec), scale, offset=rank * share)
            # each process averaged its own queries; the mean over processes is the global batch's loss, and
            # DDP's gradient average matches it.
        else:
            loss = lm.in_batch_loss(nl_vec, code_vec, scale)
        acc.backward(loss)
        inner.drop_inactive_grads(step)
        max_norm = float(recipe["maxGradNorm"])
        with torch.no_grad():
            norm = torch.norm(torch.stack([p.grad.detach().norm() for p in params if p.grad is not None])).item()
        if max_norm > 0:
            acc.clip_grad_norm_(params, max_norm)
        lr = opt.param_groups[0]["lr"]
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        mean_loss = acc.reduce(loss.detach(), reduction="mean").item()
        if not math.isfinite(mean_loss):
            log.emit({"type": "error", "message": f"the loss became {mean_loss} at step {step + 1}: the run diverged", "step": step + 1})
            sys.exit(1)
        dt = time.perf_counter() - t0
        tokens = B * (int(recipe["codeLength"]) + int(recipe["nlLength"]))
        log.emit({"type": "step", "step": step + 1, "loss": mean_loss, "lr": lr, "grad_norm": norm,
                  "tokens_per_s": tokens / max(dt, 1e-9), "elapsed_ms": log.elapsed_ms()})
        every = int(recipe.get("evalEvery", 0))
        last = step + 1 == steps
        if valid and ((every > 0 and (step + 1) % every == 0) or last):
            if acc.is_main_process:
                m = evaluate(inner, tok, valid, recipe, acc.device)
                is_best = best_mrr is None or m["mrr"] > best_mrr
                if is_best:
                    best_mrr, best, best_step = m["mrr"], lm.lab_tensors(inner), step + 1
                log.emit({"type": "eval", "step": step + 1, **m, "best": is_best})
            acc.wait_for_everyone()
    if acc.is_main_process:
        weights = best if best is not None else lm.lab_tensors(inner)
        written = export(inner, weights, run, args, args.model)
        json.dump(run, open(os.path.join(args.out, "run_config.json"), "w"), indent=2)
        log.emit({"type": "done", "steps": steps, "best_step": best_step, "best_mrr": best_mrr, "elapsed_ms": log.elapsed_ms(),
                  "stopped": steps < total, "files": written})
        log.close()
    acc.wait_for_everyone()
    if acc.distributed_type == DistributedType.MULTI_CPU:
        # Tearing down gloo's process group can deadlock on the GIL (pytorch/pytorch#75097): everything is
        # written and every process is past the barrier, so leave without the teardown.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    acc.end_training()


if __name__ == "__main__":
    main()
