#!/usr/bin/env python3
"""Checkpoint-format fixtures for the weight loader tests (tests/unit/torch_bin.test.ts, checkpoint.test.ts).

Run from anywhere:  /usr/bin/python3 tools/make_torch_fixtures.py
Needs only torch (Debian python3-torch 1.13, or .pyref/bin/python). The weights are a tiny model's
(tests/fixtures/torch/tiny.safetensors itself, read with a small struct/json parser), so every file below holds the
same values under a different format, naming or storage layout:

  tiny.safetensors            plain names, F32
  tiny_prefixed.safetensors   `roberta.` prefix + lm_head.dense.weight + embeddings.position_ids (I64)
  tiny_zip.bin                torch.save (zip), `roberta.` prefix, embeddings LayerNorm as gamma/beta,
                              position_ids buffer, a classifier head
  tiny_legacy.bin             torch.save(..., _use_new_zipfile_serialization=False), plain names, some entries
                              saved as nn.Parameter (requires_grad, so _rebuild_parameter + backward hooks)
  tiny_f16.bin                zip, every tensor half precision
  tiny_views.bin              zip, `bert.` prefix, tensors that are views sharing storages: q/k/v slices of one
                              fused matrix, a transposed view, a column slice, a stride-2 slice, and a tied
                              `cls.predictions.decoder.weight` (the word embeddings again)
  dtypes.bin                  small tensors in BF16, F64, I64, I32, U8, BOOL, a 0-d F16 and a permuted 3-D view
  bigendian.bin               the small checkpoint as a big-endian host writes it (storages byte-swapped, a
                              `byteorder` entry saying "big", as torch >= 2.1 does); torch here runs little-endian,
                              so the swap is done by hand
  bad_deflated.bin            a small zip checkpoint re-packed with deflate (torch never compresses)
  bad_missing_storage.bin     a small zip checkpoint with one storage entry removed
  evil_os_system.bin          a zip checkpoint whose data.pkl calls os.system('touch /tmp/engI-PWNED')
  evil_builtins_eval.pkl      a bare pickle that calls builtins.eval(...) to create the same marker

The hostile pickles are written with the pickle module and are never loaded here. Legacy files embed storage
keys derived from memory addresses, so reruns differ in those bytes only; every other file is byte-stable.
"""
from __future__ import annotations

import io
import json
import os
import pickle
import pickletools
import struct
import zipfile
from collections import OrderedDict

import torch

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(REPO, "tests", "fixtures", "torch", "tiny.safetensors")
OUT = os.path.join(REPO, "tests", "fixtures", "torch")
MARKER = "/tmp/engI-PWNED"

DTYPES = {"F32": ("<f", torch.float32), "I64": ("<q", torch.int64)}


def read_safetensors(path: str) -> "OrderedDict[str, torch.Tensor]":
    buf = open(path, "rb").read()
    (n,) = struct.unpack_from("<Q", buf, 0)
    header = json.loads(buf[8 : 8 + n])
    out: "OrderedDict[str, torch.Tensor]" = OrderedDict()
    for name, e in header.items():
        if name == "__metadata__":
            continue
        assert e["dtype"] == "F32", name
        begin, end = e["data_offsets"]
        raw = buf[8 + n + begin : 8 + n + end]
        values = struct.unpack("<%df" % (len(raw) // 4), raw)
        out[name] = torch.tensor(values, dtype=torch.float32).reshape(e["shape"])
    return out


def write_safetensors(path: str, tensors: "OrderedDict[str, torch.Tensor]") -> None:
    header: dict = {"__metadata__": {"format": "pt", "generator": "tools/make_torch_fixtures.py"}}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        dtype = {torch.float32: "F32", torch.int64: "I64"}[t.dtype]
        data = struct.pack("<%d%s" % (t.numel(), DTYPES[dtype][0][1]), *t.flatten().tolist())
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def prefixed(base: "OrderedDict[str, torch.Tensor]", prefix: str) -> "OrderedDict[str, torch.Tensor]":
    return OrderedDict((prefix + k, v.clone()) for k, v in base.items())


def position_ids() -> torch.Tensor:
    return torch.arange(24, dtype=torch.int64).unsqueeze(0)  # (1, 24) as HF registers it


def views_state(base: "OrderedDict[str, torch.Tensor]") -> "OrderedDict[str, torch.Tensor]":
    """The base weights, several of them stored as views into shared, larger storages."""
    sd = prefixed(base, "bert.")
    p = "bert.encoder.layer."
    for layer in range(2):
        fused = torch.cat([base[f"encoder.layer.{layer}.attention.self.{m}.weight"] for m in ("query", "key", "value")])
        for i, m in enumerate(("query", "key", "value")):
            sd[f"{p}{layer}.attention.self.{m}.weight"] = fused[32 * i : 32 * (i + 1)]  # offsets 0, 1024, 2048
    w = base["encoder.layer.0.intermediate.dense.weight"]  # (48, 32)
    sd[p + "0.intermediate.dense.weight"] = w.t().contiguous().t()  # strides (1, 48)
    w = base["encoder.layer.1.output.dense.weight"]  # (32, 48)
    padded = torch.zeros(32, 64)
    padded[:, 8:56] = w
    sd[p + "1.output.dense.weight"] = padded[:, 8:56]  # offset 8, strides (64, 1)
    spread = torch.zeros(65)
    spread[1::2] = base["pooler.dense.bias"]
    sd["bert.pooler.dense.bias"] = spread[1::2]  # offset 1, stride 2
    sd["cls.predictions.decoder.weight"] = sd["bert.embeddings.word_embeddings.weight"]  # tied: same storage
    assert not sd[p + "0.intermediate.dense.weight"].is_contiguous()
    assert not sd[p + "1.output.dense.weight"].is_contiguous()
    return sd


def dtypes_state() -> "OrderedDict[str, torch.Tensor]":
    return OrderedDict(
        [
            ("bf16", torch.tensor([1.5, -2.0, 0.25, 3.0e38, -1.0e-3], dtype=torch.bfloat16)),
            ("f64", torch.tensor([[0.1, -2.5], [1e-8, 123456.789]], dtype=torch.float64)),
            ("i64", torch.tensor([0, -1, 2147483647, -2147483648, 42], dtype=torch.int64)),
            ("i32", torch.tensor([7, -7, 65536], dtype=torch.int32)),
            ("u8", torch.tensor([0, 1, 255], dtype=torch.uint8)),
            ("bool", torch.tensor([True, False, True])),
            ("f16_scalar", torch.tensor(-0.5, dtype=torch.float16)),
            ("permuted", torch.arange(24, dtype=torch.int32).reshape(2, 3, 4).permute(2, 0, 1)),  # (4, 2, 3)
        ]
    )


def small_state() -> "OrderedDict[str, torch.Tensor]":
    return OrderedDict([("a", torch.arange(6, dtype=torch.float32).reshape(2, 3)), ("b", torch.ones(4))])


def put(z: zipfile.ZipFile, name: str, data: bytes | str) -> None:
    """A zip entry with a fixed timestamp, so reruns give identical bytes."""
    z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data, compress_type=z.compression)


def bigendian_state() -> "OrderedDict[str, torch.Tensor]":
    return OrderedDict([("f", torch.tensor([1.5, -2.0, 3.25])), ("h", torch.tensor([0.5, -1.0], dtype=torch.float16)), ("i", torch.tensor([1, -2, 300], dtype=torch.int64))])


def write_bigendian(path: str) -> None:
    state = bigendian_state()
    buf = io.BytesIO()
    torch.save(state, buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zout:
        root = zin.namelist()[0].split("/")[0]
        keys = {}  # storage key -> element size, read from the pickle's persistent ids
        for op, arg, _ in pickletools.genops(zin.read(f"{root}/data.pkl")):
            if op.name == "GLOBAL" and str(arg).endswith("Storage"):
                size = {"torch FloatStorage": 4, "torch HalfStorage": 2, "torch LongStorage": 8}[str(arg)]
            elif op.name == "BINUNICODE" and str(arg).isdigit():
                keys[str(arg)] = size
        for info in zin.infolist():
            data = zin.read(info.filename)
            key = info.filename.rsplit("/", 1)[-1]
            if "/data/" in info.filename:
                n = keys[key]
                data = b"".join(data[i : i + n][::-1] for i in range(0, len(data), n))
            put(zout, info.filename, data)
        put(zout, f"{root}/byteorder", "big")


def repack(src: bytes, path: str, compression: int, drop: str | None = None) -> None:
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(path, "w", compression) as zout:
        for info in zin.infolist():
            if drop is None or not info.filename.endswith(drop):
                put(zout, info.filename, zin.read(info.filename))


class _Call:
    """Pickles as `func(*args)` (pickle's __reduce__); used only to write the hostile fixtures."""

    def __init__(self, func, args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def evil_os_system_pickle() -> bytes:
    # Written by hand so the GLOBAL says `os system` (pickling os.system directly would say `posix system`).
    cmd = ("touch " + MARKER).encode()
    return (
        b"\x80\x02}q\x00X\x06\x00\x00\x00weightq\x01"  # PROTO 2, EMPTY_DICT, 'weight'
        + b"cos\nsystem\nq\x02"  # GLOBAL os system
        + b"X" + struct.pack("<I", len(cmd)) + cmd + b"\x85R"  # TUPLE1, REDUCE
        + b"s."  # SETITEM, STOP
    )


def write_evil(out: str) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        put(z, "evil_os_system/data.pkl", evil_os_system_pickle())
        put(z, "evil_os_system/version", "3\n")
    open(os.path.join(out, "evil_os_system.bin"), "wb").write(buf.getvalue())
    code = f"__import__('os').system('touch {MARKER}')"
    payload = pickle.dumps(OrderedDict([("weight", _Call(eval, (code,)))]), protocol=2, fix_imports=False)
    open(os.path.join(out, "evil_builtins_eval.pkl"), "wb").write(payload)
    # Check (without loading) that the globals are the ones the tests expect.
    names = [str(arg) for op, arg, _ in pickletools.genops(payload) if op.name == "GLOBAL"]
    assert "builtins eval" in names, names
    names = [str(arg) for op, arg, _ in pickletools.genops(evil_os_system_pickle()) if op.name == "GLOBAL"]
    assert names == ["os system"], names


def save_zip(obj, path: str) -> None:
    torch.save(obj, path)
    assert zipfile.is_zipfile(path), path


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    base = read_safetensors(GOLDEN)
    assert len(base) == 39
    out = lambda name: os.path.join(OUT, name)  # noqa: E731

    write_safetensors(out("tiny.safetensors"), base)
    pre = prefixed(base, "roberta.")
    pre["lm_head.dense.weight"] = torch.linspace(-1, 1, 32 * 32).reshape(32, 32)
    pre["roberta.embeddings.position_ids"] = position_ids()
    write_safetensors(out("tiny_prefixed.safetensors"), pre)

    zsd = OrderedDict()
    for k, v in prefixed(base, "roberta.").items():
        zsd[k.replace("embeddings.LayerNorm.weight", "embeddings.LayerNorm.gamma").replace("embeddings.LayerNorm.bias", "embeddings.LayerNorm.beta")] = v
    zsd["roberta.embeddings.position_ids"] = position_ids()
    zsd["classifier.out_proj.weight"] = torch.full((2, 32), 0.5)
    save_zip(zsd, out("tiny_zip.bin"))

    legacy = OrderedDict((k, torch.nn.Parameter(v.clone()) if "pooler" in k or k.startswith("embeddings.") else v.clone()) for k, v in base.items())
    torch.save(legacy, out("tiny_legacy.bin"), _use_new_zipfile_serialization=False)
    assert not zipfile.is_zipfile(out("tiny_legacy.bin"))

    save_zip(OrderedDict((k, v.half()) for k, v in base.items()), out("tiny_f16.bin"))
    views = views_state(base)
    save_zip(views, out("tiny_views.bin"))
    with zipfile.ZipFile(out("tiny_views.bin")) as z:
        storages = [n for n in z.namelist() if "/data/" in n]
        assert len(storages) < len(views), (len(storages), len(views))  # views really share storages
    save_zip(dtypes_state(), out("dtypes.bin"))

    buf = io.BytesIO()
    torch.save(small_state(), buf)
    repack(buf.getvalue(), out("bad_deflated.bin"), zipfile.ZIP_DEFLATED)
    write_bigendian(out("bigendian.bin"))
    repack(buf.getvalue(), out("bad_missing_storage.bin"), zipfile.ZIP_STORED, drop="/data/1")
    write_evil(OUT)

    # Self-check: torch reads back every benign file to the base values.
    for name in ("tiny_zip.bin", "tiny_legacy.bin", "tiny_views.bin", "tiny_f16.bin"):
        sd = torch.load(out(name))
        w = sd.get("embeddings.word_embeddings.weight", sd.get("roberta.embeddings.word_embeddings.weight", sd.get("bert.embeddings.word_embeddings.weight")))
        tol = 1e-3 if name == "tiny_f16.bin" else 0
        assert torch.allclose(w.float(), base["embeddings.word_embeddings.weight"], atol=tol, rtol=tol), name
    total = sum(os.path.getsize(out(n)) for n in os.listdir(OUT))
    print(f"wrote {len(os.listdir(OUT))} files to {OUT} ({total / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
