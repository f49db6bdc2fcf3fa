"""The demo encoder: a tiny RoBERTa pre-trained with masked-language modelling on real Python, so the dashboard's
two-click demo fine-tunes something that already knows code (the bundled random model knows nothing).

Input: .demo-build/pretrain.txt from tools/make_demo_data.py (functions of the standard library's training modules
only: `docstring tokens </s> code tokens`, or code tokens alone). Output: public/demo/model/ — config.json,
vocab.json, merges.txt and model.safetensors of a `RobertaModel` (with a pooler, as the lab's base models have).

Recipe (CodeBERT's MLM objective, Feng et al. 2020, at toy scale):
  - tokenizer: byte-level BPE (Hugging Face `tokenizers`), 4,000 tokens, RoBERTa's specials <s> <pad> </s> <unk>
    <mask> at ids 0-3 and 4;
  - inputs: bimodal lines as RoBERTa pairs `<s> nl </s></s> code </s>`, code-only lines as `<s> code </s>`, at most
    128 tokens (the model's 130 positions);
  - masking: BERT's — 15% of the non-special tokens, of which 80% become <mask>, 10% a random token, 10% stay;
  - model: hidden 64, 2 layers, 4 heads, FFN 128 (the shapes of the random sample model, so the dashboard's
    tests cost the same), dropout 0.1; AdamW lr 1e-3, betas (0.9, 0.98), weight decay 0.01, 200 warmup steps then
    linear decay, batch 64, STEPS steps; the loss is taken at masked positions only (the same loss, less work).
  - the pooler (not trained by MLM) is initialized as transformers does (N(0, 0.02), zero bias).

Run:  .pyref/bin/python tools/pyref/make_demo_model.py   (about 14 minutes on 2 CPU cores; prints the held-out
MLM loss and accuracy before and after). torch's CPU kernels are deterministic for a fixed thread count, so a rerun
on the same machine gives the same weights; another CPU may differ in the last bits.
"""
from __future__ import annotations

import json
import math
import os
import random
import sys
import time

import torch
from tokenizers import ByteLevelBPETokenizer
from transformers import RobertaConfig, RobertaForMaskedLM, RobertaModel

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, ".demo-build", "pretrain.txt")
OUT = os.path.join(ROOT, "public", "demo", "model")
SEED = 20261206
VOCAB, MAX_LEN, BATCH, WARMUP = 4000, 128, 64, 200
STEPS = int(os.environ.get("DEMO_STEPS", "4000"))
SPECIALS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
HELD_OUT = 256  # lines kept aside to report the MLM loss on text the model was not trained on


def train_tokenizer(out: str) -> ByteLevelBPETokenizer:
    tok = ByteLevelBPETokenizer(add_prefix_space=False)
    tok.train([CORPUS], vocab_size=VOCAB, min_frequency=2, special_tokens=SPECIALS, show_progress=False)
    tok.save_model(out)
    return tok


def encode_line(tok: ByteLevelBPETokenizer, line: str) -> list[int]:
    """RoBERTa's single or pair input for one corpus line, cut to MAX_LEN as transformers' longest_first would."""
    bos, eos = 0, 2
    if " </s> " not in line:
        return [bos] + tok.encode(line).ids[: MAX_LEN - 2] + [eos]
    nl, code = line.split(" </s> ", 1)
    a, b = tok.encode(nl).ids, tok.encode(code).ids
    while len(a) + len(b) > MAX_LEN - 4:
        if len(a) > len(b):
            a.pop()
        else:
            b.pop()
    return [bos] + a + [eos, eos] + b + [eos]


def mask_batch(rows: list[list[int]], gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), 1, dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = torch.tensor(r)
    special = ids <= 4
    chosen = (torch.rand(ids.shape, generator=gen) < 0.15) & ~special
    labels = torch.where(chosen, ids, torch.full_like(ids, -100))
    roll = torch.rand(ids.shape, generator=gen)
    inputs = ids.clone()
    inputs[chosen & (roll < 0.8)] = 4
    swap = chosen & (roll >= 0.8) & (roll < 0.9)
    inputs[swap] = torch.randint(5, VOCAB, (int(swap.sum()),), generator=gen)
    return inputs, (ids != 1).long(), labels


def mlm_loss(model: RobertaForMaskedLM, inputs, attention, labels) -> tuple[torch.Tensor, float]:
    hidden = model.roberta(input_ids=inputs, attention_mask=attention).last_hidden_state
    at = labels != -100
    logits = model.lm_head(hidden[at])
    target = labels[at]
    return torch.nn.functional.cross_entropy(logits, target), float((logits.argmax(-1) == target).float().mean())


@torch.no_grad()
def held_out(model, rows: list[list[int]]) -> tuple[float, float]:
    model.eval()
    gen = torch.Generator().manual_seed(SEED + 1)
    loss, acc = mlm_loss(model, *mask_batch(rows, gen))
    model.train()
    return float(loss), acc


def config(vocab_size: int) -> RobertaConfig:
    return RobertaConfig(
        vocab_size=vocab_size, hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128,
        max_position_embeddings=MAX_LEN + 2, type_vocab_size=1, pad_token_id=1, bos_token_id=0, eos_token_id=2,
        hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, layer_norm_eps=1e-5, initializer_range=0.02,
    )


def schedule(step: int) -> float:
    return step / WARMUP if step < WARMUP else max(0.0, (STEPS - step) / (STEPS - WARMUP))


def pretrain(model: RobertaForMaskedLM, train: list[list[int]], test: list[list[int]]) -> None:
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.98), weight_decay=0.01)
    lr = torch.optim.lr_scheduler.LambdaLR(opt, schedule)
    gen, order = torch.Generator().manual_seed(SEED), random.Random(SEED)
    print(f"held-out MLM before: loss {held_out(model, test)[0]:.3f}, accuracy {held_out(model, test)[1]:.3f}")
    start, queue = time.time(), []
    for step in range(STEPS):
        if len(queue) < BATCH:
            queue = queue + order.sample(range(len(train)), len(train))
        batch, queue = [train[i] for i in queue[:BATCH]], queue[BATCH:]
        loss, _ = mlm_loss(model, *mask_batch(batch, gen))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        lr.step()
        if (step + 1) % 250 == 0:
            print(f"step {step + 1}/{STEPS}: train loss {loss.item():.3f}, held-out {held_out(model, test)[0]:.3f} "
                  f"({time.time() - start:.0f} s)", flush=True)
    loss, acc = held_out(model, test)
    print(f"held-out MLM after: loss {loss:.3f}, accuracy {acc:.3f}")


def save(mlm: RobertaForMaskedLM, cfg: RobertaConfig) -> None:
    torch.manual_seed(SEED)
    encoder = RobertaModel(cfg, add_pooling_layer=True)
    missing, unexpected = encoder.load_state_dict(mlm.roberta.state_dict(), strict=False)
    assert not unexpected and all(k.startswith("pooler.") for k in missing), (missing, unexpected)
    cfg.architectures = ["RobertaModel"]
    encoder.save_pretrained(OUT, safe_serialization=True)


def main() -> None:
    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    os.makedirs(OUT, exist_ok=True)
    tok = train_tokenizer(OUT)
    vocab = json.load(open(os.path.join(OUT, "vocab.json"), encoding="utf-8"))
    assert [vocab[s] for s in SPECIALS] == [0, 1, 2, 3, 4], "RoBERTa's special ids"
    lines = [l for l in open(CORPUS, encoding="utf-8").read().split("\n") if l.strip()]
    random.Random(SEED).shuffle(lines)
    rows = [encode_line(tok, l) for l in lines]
    test, train = rows[:HELD_OUT], rows[HELD_OUT:]
    cfg = config(len(vocab))
    model = RobertaForMaskedLM(cfg)
    print(f"{len(train)} training lines, {sum(map(len, train))} tokens; vocabulary {len(vocab)}; "
          f"{sum(p.numel() for p in model.roberta.parameters())} encoder parameters; python {sys.version.split()[0]}, "
          f"torch {torch.__version__}")
    pretrain(model, train, test)
    save(model, cfg)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
