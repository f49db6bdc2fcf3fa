#!/usr/bin/env bash
# Creates (or reuses) the Python reference environment in .pyref/: a venv with the pinned real libraries
# (torch, transformers, peft, accelerate, sentence-transformers). Idempotent and quick when up to date: a stamp
# holds the hash of requirements.txt, so only a changed pin reinstalls. Prints the interpreter's path last.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${LAB_PYREF:-$root/.pyref}"
req="$root/tools/pyref/requirements.txt"
want="$(sha256sum "$req" | cut -d' ' -f1)"
stamp="$venv/.requirements.sha256"

if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "$venv/bin/python"
  exit 0
fi

py="${PYTHON:-$(command -v python3 || true)}"
if [ -z "$py" ]; then
  echo "tools/pyref/setup.sh: python3 not found; install Python 3.11 (Debian: apt-get install -y python3 python3-venv)" >&2
  exit 1
fi
echo "Creating the Python reference environment in $venv (torch, transformers, peft, ...; a few minutes, once)" >&2
rm -rf "$venv"
"$py" -m venv "$venv" >&2
# --retries 0: only the package indexes pip is configured with answer here; don't wait on any other. pip's note
# for every package a configured local index lacks is noise; its errors still show and still fail the script.
"$venv/bin/pip" install --quiet --retries 0 --timeout 30 -r "$req" 2>&1 | { grep -v 'is ignored: it is neither a file nor a directory' || true; } >&2
echo "$want" > "$stamp"
echo "$venv/bin/python"
