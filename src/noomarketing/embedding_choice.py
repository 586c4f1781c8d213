"""Choosing the embedder of a segmentation: asked for by the user, or from the languages.

With ``embedding=None`` and language detection on, the languages of the feedback choose the
model (see :func:`noomarketing.languages.auto_embedding`): the bundled English model when at
least 90% of the detected texts are English, else the multilingual one. An explicit choice
always wins. Detected languages travel with the :class:`~noomarketing.schema.Feedback`, so they
are detected once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from noomarketing.embedding import (
    DEFAULT_MODEL,
    MULTILINGUAL_MODEL,
    CachedEmbedder,
    embedder_name,
    resolve_embedder,
)
from noomarketing.languages import LanguageMix, auto_embedding, detect_languages, language_mix
from noomarketing.schema import Feedback


def make_embedder(
    spec: Any,
    *,
    progress: bool | None = None,
    cache_dir: str | Path | None = None,
    use_cache: bool = True,
) -> Any:
    """The embedder for ``spec`` (see :func:`~noomarketing.embedding.resolve_embedder`),
    with its progress bars set and wrapped in the on-disk cache unless ``use_cache`` is False.

    >>> type(make_embedder(None, use_cache=False)).__name__
    'SentenceTransformerEmbedder'
    """
    embedder = resolve_embedder(spec)
    if progress is not None and hasattr(embedder, "progress"):
        embedder.progress = progress
    return CachedEmbedder(embedder, cache_dir) if use_cache else embedder


def feedback_languages(
    feedback: Feedback,
    sample: np.ndarray | None = None,
    *,
    cache_dir: str | Path | None = None,
    use_cache: bool = True,
) -> tuple[list[str | None], LanguageMix]:
    """The language of each item (detected unless ``feedback`` carries them) and their mix.

    With a ``sample`` (positions), only those items are detected (detection reads ~1-4k
    texts/s): the others get None and the mix is the sample's.

    >>> from noomarketing.schema import Feedback
    >>> fb = Feedback.from_texts(["a", "b"]).with_languages(["en", "pl"])
    >>> codes, mix = feedback_languages(fb)
    >>> codes, mix.counts
    (['en', 'pl'], {'en': 1, 'pl': 1})
    """
    where = list(range(len(feedback))) if sample is None else sample.tolist()
    if feedback.languages is not None:
        codes = list(feedback.languages)
        return codes, language_mix([codes[i] for i in where if codes[i] is not None])
    texts = feedback.texts
    guesses = detect_languages([texts[i] for i in where], cache_dir=cache_dir, use_cache=use_cache)
    found: list[str | None] = [None] * len(texts)
    for i, guess in zip(where, guesses, strict=True):
        found[i] = guess.code
    return found, language_mix([guess.code for guess in guesses])


def choose_embedder(
    embedding: Any,
    mix: LanguageMix | None,
    *,
    progress: bool | None = None,
    cache_dir: str | Path | None = None,
    use_cache: bool = True,
) -> tuple[Any, str]:
    """The embedder and a sentence saying which model it is and why it was chosen.

    >>> embedder, why = choose_embedder(None, None, use_cache=False)
    >>> why.endswith("language detection is off")
    True
    """
    if embedding is None and mix is not None:
        spec, why = auto_embedding(mix)
        model = {"default": DEFAULT_MODEL, "multilingual": MULTILINGUAL_MODEL}[spec]
    else:
        spec, model = embedding, None
        why = "language detection is off" if embedding is None else "it was asked for"
    embedder = make_embedder(spec, progress=progress, cache_dir=cache_dir, use_cache=use_cache)
    model = model or embedder_name(embedder) or type(embedder).__name__
    return embedder, f"{model}: {why}"
