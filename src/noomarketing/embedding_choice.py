"""Choosing the embedder of a segmentation: asked for by the user, or from the languages.

With ``embedding=None`` and language detection on, the languages of the feedback choose the
model (see :func:`noomarketing.languages.auto_embedding`): the bundled English model when at
least 90% of the detected texts are English, else the multilingual one. An explicit choice
always wins. Detected languages travel with the :class:`~noomarketing.schema.Feedback`, so they
are detected once.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from noomarketing.embedding import (
    DEFAULT_MODEL,
    MULTILINGUAL_MODEL,
    CachedEmbedder,
    embedder_name,
    encode_unit,
    resolve_embedder,
)
from noomarketing.languages import LanguageMix, auto_embedding, detect_languages, language_mix
from noomarketing.loading import FeedbackSource, as_feedback
from noomarketing.schema import Feedback
from noomarketing.strategies import seeded_sample


def make_embedder(
    spec: Any,
    *,
    progress: bool | None = None,
    cache_dir: str | Path | None = None,
    use_cache: bool = True,
) -> Any:
    """The embedder for ``spec`` (see :func:`~noomarketing.embedding.resolve_embedder`),
    with its progress bars set and wrapped in the on-disk cache unless ``use_cache`` is False.

    >>> type(make_embedder("torch", use_cache=False)).__name__
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


def kept_choice(choice: str, batch: LanguageMix | None, multilingual: bool) -> str:
    """What an update says of its embedding: the first fit's choice, which it keeps (the
    vectors must stay comparable), and a warning when the new batch's languages would have
    chosen the multilingual model (``auto_embedding``) that the fit did not.

    >>> kept_choice("all-MiniLM-L6-v2: 100% of the texts are en (≥ 90%), which the default "
    ...             "model reads well", language_mix(["pl", "pl"]), multilingual=False)
    ... # doctest: +NORMALIZE_WHITESPACE
    'all-MiniLM-L6-v2, as chosen when the model was fitted (100% of the texts are en (≥ 90%),
    which the default model reads well), kept by the update; this batch is pl 100% (2 texts),
    which it reads poorly: a refit on all the feedback with language="auto" would choose the
    multilingual model'
    """
    model, _, why = choice.partition(": ")
    said = f"{model}, as chosen when the model was fitted ({why}), kept by the update"
    if batch is not None and not multilingual and auto_embedding(batch)[0] == "multilingual":
        said += (f"; this batch is {batch.summary()}, which it reads poorly: a refit on all "
                 'the feedback with language="auto" would choose the multilingual model')
    return said


class EmbedderChoice:
    """The embedding part of :class:`~noomarketing.segmentation.SegmentModel`.

    Reads the model's parameters ``embedding``, ``language``, ``fit_sample_size``,
    ``random_state``, ``cache_dir``, ``use_cache`` and ``progress``; sets ``embedder_``,
    ``embedding_choice_``, ``languages_`` and ``language_mix_``.
    """

    embedding: Any
    language: str | None
    fit_sample_size: int | None
    random_state: int | None
    cache_dir: str | Path | None
    use_cache: bool
    progress: bool | None
    validate: Callable[[], Any]  # the estimator's check of all its parameters

    def _detect(self, feedback: Feedback) -> None:
        """Set ``languages_`` and ``language_mix_`` (None when detection is off)."""
        self.languages_, self.language_mix_ = None, None
        if self.language == "auto":
            sample = seeded_sample(len(feedback), self.fit_sample_size, self.random_state)
            self.languages_, self.language_mix_ = feedback_languages(
                feedback, sample, cache_dir=self.cache_dir, use_cache=self.use_cache
            )

    def _choose_embedder(self, feedback: Feedback) -> None:
        """Detect languages (unless off) and choose the embedder from them (see ``language``)."""
        self._detect(feedback)
        self.embedder_, self.embedding_choice_ = choose_embedder(
            self.embedding, self.language_mix_, progress=self.progress,
            cache_dir=self.cache_dir, use_cache=self.use_cache,
        )
        self._chosen_for = feedback.fingerprint

    def embed(self, feedback: Feedback | FeedbackSource) -> np.ndarray:
        """Unit embeddings of the feedback texts with this model's embedder (cached on disk).

        Before the embedder is chosen (the first call, or :meth:`fit`), ``language="auto"``
        chooses it from the languages of ``feedback``.

        >>> from noomarketing.segmentation import SegmentModel
        >>> SegmentModel().embed(["late delivery", "prices are too high"]).shape
        (2, 384)
        """
        self.validate()
        feedback = as_feedback(feedback)
        if not hasattr(self, "embedder_"):
            self._choose_embedder(feedback)
        return self._encode(feedback.texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not hasattr(self, "embedder_"):
            self.embedder_ = make_embedder(
                self.embedding, progress=self.progress, cache_dir=self.cache_dir,
                use_cache=self.use_cache,
            )
        return encode_unit(self.embedder_, texts)
