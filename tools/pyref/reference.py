#!/usr/bin/env python3
"""What the real Hugging Face libraries compute, for the parity tests (tests/parity/*.test.ts call this).

  models --out DIR             tiny random RobertaModels with the sample tokenizer, saved by save_pretrained:
                               DIR/st (model.safetensors) and DIR/bin (pytorch_model.bin, config.json without
                               layer_norm_eps so RobertaConfig's default applies)
  tokenize --model DIR --texts FILE --length N
                               CodeXGLUE input ids from the library's own tokenizer (JSON on stdout)
  embed --model DIR [--peft DIR | --sentence-transformers] --data FILE --code-length N --nl-length N
        [--pooling P] [--normalize] --out FILE.safetensors
                               code/query embeddings from AutoModel, PeftModel.from_pretrained or
                               SentenceTransformer(...).encode; fails on any missing/unexpected-key warning
  peft-adapters --model DIR --data FILE --out DIR --code-length N --nl-length N
                               adapters made by real peft (LoRA with rank/alpha patterns and exclude_modules,
                               prefix-tuning with and without projection), saved with save_pretrained; prints
                               each one's MRR on the shard as peft computes it (JSON)
"""
from __future__ import annotations

import argparse
import io
import json
import logging
import os
import shutil
import sys
import warnings

import torch
from safetensors.torch import save_file

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "src", "engine", "export_run", "python"))
import lab_data  # noqa: E402
from lab_methods import mrr_metrics  # noqa: E402

SAMPLE_TOKENIZER = os.path.join(REPO, "public", "sample", "model")
torch.set_num_threads(1)


class LoadWarnings:
    """Collects what transformers/peft log or warn while loading, so a test can require silence."""

    def __enter__(self):
        self.buf = io.StringIO()
        self.handler = logging.StreamHandler(self.buf)
        for name in ("transformers", "peft", "sentence_transformers"):
            logging.getLogger(name).addHandler(self.handler)
        self.warnings = warnings.catch_warnings(record=True)
        self.caught = self.warnings.__enter__()
        warnings.simplefilter("always")
        return self

    def __exit__(self, *exc):
        self.warnings.__exit__(*exc)
        for name in ("transformers", "peft", "sentence_transformers"):
            logging.getLogger(name).removeHandler(self.handler)

    def problems(self) -> list[str]:
        text = self.buf.getvalue() + "\n".join(str(w.message) for w in self.caught)
        keys = ("missing", "unexpected", "not initialized", "newly initialized", "not used", "mismatch")
        return [line for line in text.splitlines() if any(k in line.lower() for k in keys)]


def cmd_models(a) -> None:
    from transformers import RobertaConfig, RobertaModel

    vocab = json.load(open(os.path.join(SAMPLE_TOKENIZER, "vocab.json")))
    torch.manual_seed(7)
    cfg = RobertaConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=64, max_position_embeddings=48, layer_norm_eps=1e-5, pad_token_id=1,
                        bos_token_id=0, eos_token_id=2, hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
    model = RobertaModel(cfg)
    with torch.no_grad():  # far from the N(0, 0.02) init, so every path carries signal
        for n, p in model.named_parameters():
            p.copy_(1 + 0.1 * torch.randn_like(p) if n.endswith("LayerNorm.weight") else 0.2 * torch.randn_like(p))
    st, binary = os.path.join(a.out, "st"), os.path.join(a.out, "bin")
    model.save_pretrained(st)
    # transformers 5 writes only safetensors; pytorch_model.bin is torch.save of the state dict, as
    # save_pretrained wrote it before (and as codebert-base ships). Its config omits layer_norm_eps.
    model.config.layer_norm_eps = 1e-12
    model.config.save_pretrained(binary)
    conf = json.load(open(os.path.join(binary, "config.json")))
    conf.pop("layer_norm_eps")
    json.dump(conf, open(os.path.join(binary, "config.json"), "w"), indent=2)
    torch.save(model.state_dict(), os.path.join(binary, "pytorch_model.bin"))
    for d in (st, binary):
        for f in ("vocab.json", "merges.txt"):
            shutil.copy(os.path.join(SAMPLE_TOKENIZER, f), d)


def tokenizer_of(path: str):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(path)


def cmd_tokenize(a) -> None:
    tok = tokenizer_of(a.model)
    texts = json.load(open(a.texts))
    print(json.dumps(lab_data.build_ids(tok, texts, a.length)))


def pooled(out, ids: torch.Tensor, pooling: str, normalize: bool) -> torch.Tensor:
    mask = ids.ne(1)
    if pooling == "pooler":
        v = out.pooler_output
    elif pooling == "cls":
        v = out.last_hidden_state[:, 0]
    else:
        m = mask.to(out.last_hidden_state.dtype)
        v = (out.last_hidden_state * m[:, :, None]).sum(1) / m.sum(-1)[:, None]
    return torch.nn.functional.normalize(v, p=2, dim=1) if normalize else v


def hf_embed(model, tok, texts: list, length: int, pooling: str, normalize: bool) -> torch.Tensor:
    ids = torch.tensor(lab_data.build_ids(tok, texts, length))
    with torch.no_grad():
        return pooled(model(input_ids=ids, attention_mask=ids.ne(1).long()), ids, pooling, normalize)


def load_model(a):
    from transformers import AutoModel

    with LoadWarnings() as w:
        model, info = AutoModel.from_pretrained(a.model, output_loading_info=True)
        if a.peft:
            from peft import PeftModel

            model = PeftModel.from_pretrained(model, a.peft)
    bad = [f"{k}: {v}" for k, v in info.items() if v] + w.problems()
    if bad:
        sys.exit(f"loading reported: {bad}")
    return model.eval()


def cmd_embed(a) -> None:
    codes, queries, _ = lab_data.examples(a.data)
    if a.sentence_transformers:
        from sentence_transformers import SentenceTransformer

        with LoadWarnings() as w:
            st = SentenceTransformer(a.model, device="cpu")
        if w.problems():
            sys.exit(f"loading reported: {w.problems()}")
        st.max_seq_length = a.code_length
        code = st.encode(codes, convert_to_tensor=True, batch_size=64)
        st.max_seq_length = a.nl_length
        query = st.encode(queries, convert_to_tensor=True, batch_size=64)
    elif a.pooling == "all":  # every head at once: code.<pooling>[.l2] and query.<pooling>[.l2]
        model, tok = load_model(a), tokenizer_of(a.model)
        out = {}
        for pooling in ("pooler", "cls", "mean"):
            for norm in (False, True):
                tag = pooling + (".l2" if norm else "")
                out[f"code.{tag}"] = hf_embed(model, tok, codes, a.code_length, pooling, norm).contiguous()
                out[f"query.{tag}"] = hf_embed(model, tok, queries, a.nl_length, pooling, norm).contiguous()
        save_file(out, a.out)
        return
    else:
        model, tok = load_model(a), tokenizer_of(a.model)
        code = hf_embed(model, tok, codes, a.code_length, a.pooling, a.normalize)
        query = hf_embed(model, tok, queries, a.nl_length, a.pooling, a.normalize)
    save_file({"code": code.contiguous(), "query": query.contiguous()}, a.out)
    print(json.dumps(mrr_metrics(query, code)))


def cmd_peft_adapters(a) -> None:
    from peft import IA3Config, LoraConfig, PrefixTuningConfig, get_peft_model
    from transformers import AutoModel

    codes, queries, _ = lab_data.examples(a.data)
    tok = tokenizer_of(a.model)
    configs = {
        "lora_patterns": LoraConfig(r=4, lora_alpha=8, target_modules=["dense", "query", "value"],
                                    exclude_modules=["pooler.dense"], rank_pattern={"layer.1.attention.self.query": 2},
                                    alpha_pattern={"output.dense": 3}, use_rslora=True),
        "lora_regex": LoraConfig(r=3, lora_alpha=5, target_modules=r".*\.attention\.self\.(key|value)"),
        # A regex target and a feed-forward name peft matches with a bare endswith.
        "ia3_regex": IA3Config(target_modules=r"encoder\.layer\.\d+\.(attention\.self\.(key|value)|intermediate\.dense|output\.dense)",
                               feedforward_modules=["output.dense"]),
        "prefix": PrefixTuningConfig(task_type="FEATURE_EXTRACTION", num_virtual_tokens=4),
        "prefix_mlp": PrefixTuningConfig(task_type="FEATURE_EXTRACTION", num_virtual_tokens=3, prefix_projection=True,
                                         encoder_hidden_size=16),
    }
    result = {}
    for i, (name, cfg) in enumerate(configs.items()):
        torch.manual_seed(100 + i)
        model = get_peft_model(AutoModel.from_pretrained(a.model), cfg)
        with torch.no_grad():  # peft's LoRA B starts at 0: give every tensor moderate values that change the output
            for n, p in model.named_parameters():
                if p.requires_grad:
                    p.copy_(0.1 * torch.randn_like(p))
        model.eval()
        model.save_pretrained(os.path.join(a.out, name))
        code = hf_embed(model, tok, codes, a.code_length, "pooler", False)
        query = hf_embed(model, tok, queries, a.nl_length, "pooler", False)
        result[name] = mrr_metrics(query, code)["mrr"]
    print(json.dumps(result))


def main() -> None:
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("models")
    p.add_argument("--out", required=True)
    p = sub.add_parser("tokenize")
    p.add_argument("--model", required=True)
    p.add_argument("--texts", required=True)
    p.add_argument("--length", type=int, required=True)
    p = sub.add_parser("embed")
    for k in ("--model", "--data", "--out"):
        p.add_argument(k, required=True)
    p.add_argument("--peft")
    p.add_argument("--sentence-transformers", action="store_true")
    p.add_argument("--code-length", type=int, required=True)
    p.add_argument("--nl-length", type=int, required=True)
    p.add_argument("--pooling", default="pooler")
    p.add_argument("--normalize", action="store_true")
    p = sub.add_parser("peft-adapters")
    for k in ("--model", "--data", "--out"):
        p.add_argument(k, required=True)
    p.add_argument("--code-length", type=int, required=True)
    p.add_argument("--nl-length", type=int, required=True)
    a = ap.parse_args()
    {"models": cmd_models, "tokenize": cmd_tokenize, "embed": cmd_embed, "peft-adapters": cmd_peft_adapters}[a.cmd](a)


if __name__ == "__main__":
    main()
