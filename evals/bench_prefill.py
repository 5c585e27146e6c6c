"""Prefill benchmark (not a test): how fast llama.cpp reads a prompt, against what this CPU can do.

In one run it measures
  * the CPU's peaks: int8 matrix products (torch `_int_mm`, oneDNN: AVX512-VNNI where the
    CPU has it) and fp32 GEMM (torch), on the same threads as the model;
  * for each quantisation type of the default model (Q4_K_M as shipped; Q4_0, Q8_0, IQ4_NL
    made once from it with llama.cpp's quantize API into --cache-dir) and thread count:
    prefill tokens/s of a real answer prompt, its integer operations per second (2 per
    weight per token) as a share of the int8 peak, and decoding tokens/s.

    .venv/bin/python evals/bench_prefill.py                       # all types, 2 threads
    .venv/bin/python evals/bench_prefill.py --types Q4_K_M Q4_0 --threads 1 2 --runs 5

The made files come from the shipped Q4_K_M, so they carry its rounding as well as their
own: a fair test of speed; their answer quality is measured separately (`rag eval` with
RAG_LLM_MODEL_PATH, see docs/performance-2026-12-05.md). Run it alone: two shared cores
distort every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TYPES = ("Q4_K_M", "Q4_0", "Q8_0", "IQ4_NL")
PROMPT_TOKENS = 400  # a typical answer prompt: system rules, five sources, the question


def peaks(threads: int, n: int = 2048, runs: int = 5) -> dict[str, float]:
    """Int8 and fp32 matrix-product peaks in G operations per second (median of runs)."""
    import torch

    torch.set_num_threads(threads)
    a8 = torch.randint(-100, 100, (n, n), dtype=torch.int8)
    b8 = torch.randint(-100, 100, (n, n), dtype=torch.int8)
    a32, b32 = torch.randn(n, n), torch.randn(n, n)

    def rate(product: Any) -> float:
        product()
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            product()
            times.append(time.perf_counter() - started)
        return round(2 * n**3 / statistics.median(times) / 1e9, 1)

    return {
        "int8_gops": rate(lambda: torch._int_mm(a8, b8)),
        "fp32_gflops": rate(lambda: a32 @ b32),
    }


def model_file(kind: str, shipped: Path, cache_dir: Path) -> Path:
    """The default model in `kind`, made once from the shipped Q4_K_M file."""
    if kind == "Q4_K_M":
        return shipped
    import llama_cpp

    out = cache_dir / f"{shipped.stem}.{kind}.gguf"
    if out.is_file():
        return out
    cache_dir.mkdir(parents=True, exist_ok=True)
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = getattr(llama_cpp, f"LLAMA_FTYPE_MOSTLY_{kind}")
    params.allow_requantize = True
    params.nthread = os.cpu_count() or 2
    partial = out.with_suffix(".partial")
    print(f"making {out.name} from {shipped.name} …", file=sys.stderr)
    if llama_cpp.llama_model_quantize(str(shipped).encode(), str(partial).encode(), params) != 0:
        raise SystemExit(f"llama.cpp could not quantize to {kind}")
    partial.replace(out)
    return out


def answer_prompt(tokens: int) -> list[dict[str, str]]:
    """A real answer prompt: the system rules and passages of corpus/ as sources."""
    from rag.answer.prompt import SYSTEM_PROMPT
    from rag.corpus import load_file

    text = " ".join(
        article.text
        for path in sorted((REPO / "corpus").glob("*.md"))
        for article in load_file(path)
    )
    words = text.split()[: int(tokens * 0.75)]
    user = (
        "Sources:\n```\n[1] "
        + " ".join(words)
        + "\n```\n\nQuestion: What is Xiaomi's Africa strategy?"
    )
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


def measure(path: Path, threads: int, prompt: str, runs: int, decode: int) -> dict[str, Any]:
    """Prefill and decode tokens/s of one model file (median of `runs`; nothing cached)."""
    import llama_cpp

    model = llama_cpp.Llama(model_path=str(path), n_ctx=2048, n_threads=threads, verbose=False)
    tokens = model.tokenize(prompt.encode(), add_bos=False, special=True)
    params = llama_cpp.llama_model_n_params(model.model)
    prefill, decoding = [], []
    model.reset()
    model.eval(tokens[:32])  # warm-up (weights paged in, repacked)
    for _ in range(runs):
        model.reset()
        started = time.perf_counter()
        model.eval(tokens)
        prefill.append(len(tokens) / (time.perf_counter() - started))
        started = time.perf_counter()
        for _ in range(decode):
            token = model.sample(temp=0.0)
            model.eval([token])
        decoding.append(decode / (time.perf_counter() - started))
    tok_s = statistics.median(prefill)
    return {
        "file": path.name,
        "size_mb": round(path.stat().st_size / 2**20),
        "threads": threads,
        "prompt_tokens": len(tokens),
        "prefill_tok_s": round(tok_s, 1),
        "prefill_gops": round(2 * params * tok_s / 1e9, 1),
        "decode_tok_s": round(statistics.median(decoding), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--types", nargs="+", default=list(TYPES), choices=TYPES)
    parser.add_argument("--threads", nargs="+", type=int, default=[os.cpu_count() or 2])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--decode", type=int, default=32, help="tokens decoded per run")
    parser.add_argument("--prompt-tokens", type=int, default=PROMPT_TOKENS)
    parser.add_argument(
        "--cache-dir", type=Path, help="made model files (default: the model cache)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    from rag.config import Settings
    from rag.llm.model_files import default_model_path

    settings = Settings()
    shipped = settings.llm_model_path or default_model_path(settings.model_cache_dir)
    cache_dir = args.cache_dir or shipped.parent
    chat = answer_prompt(args.prompt_tokens)  # in the model's ChatML template
    text = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in chat)
    text += "<|im_start|>assistant\n"

    rows: list[dict[str, Any]] = []
    for threads in args.threads:
        peak = peaks(threads)
        print(f"threads {threads}: int8 peak {peak['int8_gops']} G ops/s, "
              f"fp32 GEMM {peak['fp32_gflops']} GFLOP/s", file=sys.stderr)  # fmt: skip
        for kind in args.types:
            row = {"type": kind, **measure(model_file(kind, shipped, cache_dir), threads, text,
                                           args.runs, args.decode), **peak}  # fmt: skip
            row["share_of_int8_peak"] = round(row["prefill_gops"] / peak["int8_gops"], 3)
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)

    print("| type | threads | MB | prefill tok/s | G ops/s | share of int8 peak | decode tok/s |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['type']} | {r['threads']} | {r['size_mb']} | {r['prefill_tok_s']} | "
              f"{r['prefill_gops']} | {r['share_of_int8_peak']:.0%} | {r['decode_tok_s']} |")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
