"""Text helpers shared by the core: search normalisation."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced text for case- and accent-insensitive search."""
    if text.isascii():  # the usual name: NFKD changes nothing, casefold is lower (3x faster)
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())
