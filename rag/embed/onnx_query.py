"""Query vectors through ONNX Runtime: ~4x faster than torch for one short question.

The first time, the local sentence-transformers model (already loaded for ingest or
passages) is exported with `torch.onnx.export` (mean pooling and L2 normalisation inside the
graph) into the model cache, and the export is checked against torch on probe sentences; a
mismatch or a missing `onnxruntime` leaves queries on torch. Later processes load the file
(~0.2 s) and never need torch to answer a search.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)
PROBES = [
    "What is Xiaomi's Africa strategy?",
    "小米在非洲的战略是什么？",
    "A deficiency of vitamin B12 increases blood levels of homocysteine.",
]
MIN_AGREEMENT = 0.9999  # cosine between ONNX and torch vectors on every probe


def onnx_path(model_dir: Path, cache_dir: Path) -> Path:
    """Where the export of the model in `model_dir` is cached (keyed by its weights)."""
    weights = model_dir / "model.safetensors"
    stamp = f"{model_dir}|{weights.stat().st_size if weights.exists() else 0}"
    return cache_dir / f"query-encoder-{hashlib.sha256(stamp.encode()).hexdigest()[:12]}.onnx"


def bert_inputs(rows: Sequence[Sequence[int]]) -> dict[str, np.ndarray]:
    """A BERT model's inputs for token-id rows: padded ids, attention mask, token types."""
    width = max((len(r) for r in rows), default=0)
    ids = np.zeros((len(rows), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    for n, row in enumerate(rows):
        ids[n, : len(row)] = row
        mask[n, : len(row)] = 1
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}


class OnnxQueryEncoder:
    """Normalised mean-pooled vectors from an exported model (up to 2 threads: measured
    7 ms vs 10 ms median with 1 on a SciFact claim, 2 cores)."""

    def __init__(self, path: Path, tokenizer: Any, max_tokens: int) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = min(2, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        # idle threads sleep instead of spinning, so the search after the encoding gets the
        # cores (rag/embed/onnx_embedder.py has the figures)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._tokenizer = tokenizer
        self._max = max_tokens
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        feeds = bert_inputs([self._tokenizer.encode(t).ids[: self._max] for t in texts])
        with self._lock:
            (vectors,) = self._session.run(None, feeds)
        return np.asarray(vectors, dtype=np.float32)


def export(st_model: Any, target: Path) -> None:
    """Export a sentence-transformers model (transformer + mean pooling + normalise)."""
    import torch

    class Pooled(torch.nn.Module):
        def __init__(self, bert: Any) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    ids = torch.tensor([[101, 2054, 2003, 1037, 2742, 102], [101, 2054, 2003, 102, 0, 0]])
    axes = {0: "b", 1: "s"}
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")  # concurrent first runs do not collide
    with torch.no_grad():
        torch.onnx.export(
            Pooled(st_model[0].auto_model.eval()),
            (ids, (ids > 0).long(), torch.zeros_like(ids)),
            str(tmp),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["embedding"],
            dynamic_axes={
                "input_ids": axes,
                "attention_mask": axes,
                "token_type_ids": axes,
                "embedding": {0: "b"},
            },
            opset_version=17,
            dynamo=False,
        )
    tmp.replace(target)


def agrees(encoder: OnnxQueryEncoder, torch_vectors: np.ndarray) -> bool:
    """The ONNX vectors of the probes match torch's."""
    cosines = np.sum(encoder.encode(PROBES) * torch_vectors, axis=1)
    return bool(np.all(cosines >= MIN_AGREEMENT))
