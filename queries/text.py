"""Provisional: replaced by the support branch."""

from __future__ import annotations

import re

_END = re.compile(r"(?<=[.!?。！？])\s+(?=[A-Z\[(\"“0-9\u4e00-\u9fff])")


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _END.split(text.strip()) if s.strip()]


def content_words(text: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9-]{2,}", text)]
