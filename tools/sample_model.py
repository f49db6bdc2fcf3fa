"""The tiny random demo model: a Hugging Face RoBERTa config.json and a hand-written model.safetensors.

Initialization is BERT's (what `RobertaPreTrainedModel._init_weights` does): linear weights and embedding tables
N(0, 0.02), biases 0, LayerNorm weight 1 and bias 0, and the padding rows (id 1) of the word and position tables
zero. Normal draws come from Box-Muller over one seeded random.Random, in HF `named_parameters()` order, so the
file does not depend on torch or on the Python version. Names carry no `roberta.` prefix.

max_position_embeddings 130: RoBERTa numbers real tokens from padding_idx + 1 = 2, so 130 rows hold sequences of
up to 128 tokens (as 514 gives codebert-base its 512).
"""
from __future__ import annotations

import json
import math
import os
import struct
from random import Random

SEED = 1234
VOCAB_SIZE = 1000
HIDDEN, LAYERS, HEADS, INTERMEDIATE, MAX_POSITIONS, PAD = 64, 2, 4, 128, 130, 1
INIT_STD = 0.02


def config(vocab_size: int) -> dict:
    return {
        "architectures": ["RobertaModel"],
        "attention_probs_dropout_prob": 0.1,
        "bos_token_id": 0,
        "eos_token_id": 2,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": HIDDEN,
        "initializer_range": INIT_STD,
        "intermediate_size": INTERMEDIATE,
        "layer_norm_eps": 1e-05,
        "max_position_embeddings": MAX_POSITIONS,
        "model_type": "roberta",
        "num_attention_heads": HEADS,
        "num_hidden_layers": LAYERS,
        "pad_token_id": PAD,
        "position_embedding_type": "absolute",
        "type_vocab_size": 1,
        "vocab_size": vocab_size,
    }


def parameter_shapes(vocab_size: int) -> list[tuple[str, list[int]]]:
    """HF RobertaModel.named_parameters() order; linear weights are (out, in)."""
    C, I = HIDDEN, INTERMEDIATE
    shapes = [("embeddings.word_embeddings.weight", [vocab_size, C]), ("embeddings.position_embeddings.weight", [MAX_POSITIONS, C]),
              ("embeddings.token_type_embeddings.weight", [1, C]), ("embeddings.LayerNorm.weight", [C]), ("embeddings.LayerNorm.bias", [C])]
    for layer in range(LAYERS):
        p = f"encoder.layer.{layer}."
        for name, out, inp in (("attention.self.query", C, C), ("attention.self.key", C, C), ("attention.self.value", C, C),
                               ("attention.output.dense", C, C), ("attention.output.LayerNorm", C, 0),
                               ("intermediate.dense", I, C), ("output.dense", C, I), ("output.LayerNorm", C, 0)):
            shapes += [(p + name + ".weight", [out, inp] if inp else [out]), (p + name + ".bias", [out])]
    return shapes + [("pooler.dense.weight", [C, C]), ("pooler.dense.bias", [C])]


def initial_values(name: str, shape: list[int], rng: Random) -> list[float]:
    numel = math.prod(shape)
    if name.endswith(".bias"):
        return [0.0] * numel
    if "LayerNorm" in name:
        return [1.0] * numel
    values = [INIT_STD * math.sqrt(-2.0 * math.log(1.0 - rng.random())) * math.cos(2.0 * math.pi * rng.random()) for _ in range(numel)]
    if name in ("embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight"):
        values[PAD * shape[1]:(PAD + 1) * shape[1]] = [0.0] * shape[1]
    return values


def safetensors_bytes(tensors: dict[str, tuple[list[int], list[float]]]) -> bytes:
    """F32 safetensors as the reference writer lays it out: tensors sorted by name, header space-padded to 8."""
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    blobs, offset = [], 0
    for name in sorted(tensors):
        shape, values = tensors[name]
        blob = struct.pack(f"<{len(values)}f", *values)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def write(model_dir: str, vocab_size: int) -> int:
    """Writes config.json and model.safetensors; returns the parameter count."""
    rng = Random(SEED)
    tensors = {name: (shape, initial_values(name, shape, rng)) for name, shape in parameter_shapes(vocab_size)}
    with open(os.path.join(model_dir, "config.json"), "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(config(vocab_size), indent=2, sort_keys=True) + "\n")
    with open(os.path.join(model_dir, "model.safetensors"), "wb") as f:
        f.write(safetensors_bytes(tensors))
    return sum(len(values) for _, values in tensors.values())
