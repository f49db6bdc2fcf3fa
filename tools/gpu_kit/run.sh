#!/bin/sh
# The lab's GPU benchmark kit: unpacks lab-gpu-kit.tar.xz (beside this script) and runs, on this machine's
# NVIDIA GPU, the matmul tile tuner on the training step's shapes, the training step per method at the thesis
# recipe (codebert-base shapes, batch 16, code 256, query 128), evaluation throughput and peak memory, then the
# same in PyTorch on the same GPU (FP32 with TF32 off, TF32, bf16 autocast), and prints the ratio table.
# Results (JSON) go to ./lab-gpu-results/. Needs: Linux x86-64, an NVIDIA driver with its Vulkan ICD, python3
# with torch (the machine's own). Nothing is downloaded.
#
#   sh run.sh            the full comparison (about 8 minutes on an H100)
#   sh run.sh --quick    a tiny model, two methods (full, LoRA), on whatever Vulkan device is found (a smoke test of
#                        the kit itself: SwiftShader works; its numbers mean nothing)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
kit="$here/lab-gpu-kit"
results="${LAB_GPU_RESULTS:-$PWD/lab-gpu-results}"
python="${PYTHON:-python3}"
quick=""
[ "${1:-}" = "--quick" ] && quick="--quick"
# The smoke test's benchmark: the tiny model, two methods, few steps.
few=""
[ -n "$quick" ] && few="--methods full,lora"
steps=""
[ -n "$quick" ] && steps="--steps 3 --warmup 1"

say() { printf 'lab-gpu-kit: %s\n' "$*" >&2; }
fail() { say "$*"; exit 1; }

# 1. Unpack (tar's xz when present, else Python's lzma), then the compressed binaries.
if [ ! -x "$kit/bin/node" ]; then
  [ -f "$here/lab-gpu-kit.tar.xz" ] || fail "lab-gpu-kit.tar.xz is not beside run.sh"
  if command -v xz >/dev/null 2>&1; then tar -xJf "$here/lab-gpu-kit.tar.xz" -C "$here"
  else "$python" -c "import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])" "$here/lab-gpu-kit.tar.xz" "$here"; fi
  for f in bin/node app/node_modules/webgpu/dist/linux-x64/dawn.node; do
    "$python" -c "import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], 'wb'))" "$kit/$f.xz" "$kit/$f"
    rm -f "$kit/$f.xz"
  done
  chmod +x "$kit/bin/node"
fi
node="$kit/bin/node"
bench="$kit/app/dist/cli/bench.js"

# 2. The Vulkan loader: the system's, else the kit's copy of Debian's libvulkan1.
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 '; then
  [ -f "$kit/lib/libvulkan.so.1" ] || fail "no Vulkan loader (libvulkan.so.1) on this machine and none in the kit"
  LD_LIBRARY_PATH="$kit/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; export LD_LIBRARY_PATH
  say "using the kit's Vulkan loader"
fi

# 3. The NVIDIA Vulkan driver (unless VK_ICD_FILENAMES already names one; --quick takes any device).
if [ -z "${VK_ICD_FILENAMES:-}" ]; then
  for icd in /usr/share/vulkan/icd.d/nvidia_icd.json /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.x86_64.json; do
    if [ -f "$icd" ]; then VK_ICD_FILENAMES="$icd"; export VK_ICD_FILENAMES; break; fi
  done
fi
if [ -z "${VK_ICD_FILENAMES:-}" ] && [ -z "$quick" ]; then
  fail "no NVIDIA Vulkan ICD found (nvidia_icd.json): set VK_ICD_FILENAMES to it, or run with --quick to smoke-test another device"
fi
say "Vulkan ICD: ${VK_ICD_FILENAMES:-chosen by the Vulkan loader}"

mkdir -p "$results"
torch_device=cuda
"$python" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" 2>/dev/null || torch_device=cpu
[ "$torch_device" = cpu ] && say "PyTorch sees no CUDA device: its baseline runs on the CPU (ratios are then not GPU against GPU)"

# 4. WebGPU: tune the matmul tiles, then the kernels, the step per method and evaluation with the tuned tiles.
# (--quick tunes one method's shapes: the smoke test checks the path, not the tiles.)
tune_methods=""
[ -n "$quick" ] && tune_methods="--methods lora"
"$node" "$bench" --tune $quick $tune_methods --json "$results/tuning.json"
"$node" "$bench" $quick $few $steps --tuning "$results/tuning.json" --json "$results/webgpu.json"

# 5. PyTorch on the same device, same model, recipe and methods (fp32, tf32, bf16 on CUDA).
"$python" "$kit/bench_pytorch.py" --from "$results/webgpu.json" --device "$torch_device" --json "$results/torch.json" >/dev/null

# 6. The ratio table.
"$node" "$bench" --compare "$results/webgpu.json" "$results/torch.json" --json "$results/compare.json"
say "results: $results (tuning.json, webgpu.json, torch.json, compare.json)"
