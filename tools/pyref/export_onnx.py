#!/usr/bin/env python3
"""Exports a RoBERTa model folder to ONNX for the onnxruntime-web peer benchmark (BENCHMARKS.md): the encoder with
its pooler, inputs input_ids and attention_mask (int64, batch × sequence, both dynamic), outputs pooler_output and
last_hidden_state — the lab's code-search embedding is pooler_output. TorchScript exporter, opset 17.

  .pyref/bin/python tools/pyref/export_onnx.py public/demo/model out/demo.onnx
"""
import sys

import torch
from transformers import AutoModel


class Encoder(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask):
        out = self.model(input_ids=input_ids, attention_mask=attention_mask)
        return out.pooler_output, out.last_hidden_state


def main(model_dir: str, out: str) -> None:
    model = AutoModel.from_pretrained(model_dir, attn_implementation="eager").eval()
    ids = torch.tensor([[0, 100, 200, 2, 1, 1]], dtype=torch.int64)
    mask = ids.ne(1).long()
    with torch.no_grad():
        torch.onnx.export(
            Encoder(model), (ids, mask), out, dynamo=False, opset_version=17,
            input_names=["input_ids", "attention_mask"], output_names=["pooler_output", "last_hidden_state"],
            dynamic_axes={"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
                          "pooler_output": {0: "batch"}, "last_hidden_state": {0: "batch", 1: "sequence"}},
        )
    print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
