"""Evaluation suite: the golden question set (retrieval, answer quality, speed) and BEIR.

Modules: `dataset` (golden items), `metrics` (pure scoring functions), `runner` (golden
runs), `beir` (BEIR protocol on a JSONL corpus), `report` (report.md, results.json, chart,
deltas), `judge` (optional LLM faithfulness judge), `cli` (the `rag eval` commands).
"""
