"""Which language each piece of feedback is written in, and which embedding model fits the mix.

Detection is offline and deterministic: ``py3langid`` (a naive-Bayes model over byte n-grams
that ships in its wheel) scores every text against :data:`CANDIDATE_LANGUAGES`. Short texts are
where detectors fail (a three-word Russian complaint looks Macedonian to a detector that knows
140 languages), so two things keep them honest:

* the candidates are restricted to the languages this project reads (those of the multilingual
  model, plus Ukrainian);
* the corpus is the prior: a text whose best guess is below ``min_confidence`` is scored again
  among the languages that the confident texts of the same input are in (so "Дорого" in a
  Russian/Polish/English input is Russian, not Ukrainian), when the detector finds that
  language plausible (:data:`PLAUSIBLE`). A text with no evidence at all ("ok", "👍") or still
  unsure is :data:`UNKNOWN`.

:func:`auto_embedding` then picks the embedding model: the default English model when the input
is overwhelmingly English (:data:`DEFAULT_MODEL_SHARE`), the multilingual one otherwise.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from contextlib import closing
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from noomarketing.embedding.cache import chunks, open_cache, text_key
from noomarketing.schema import NoomarketingError

UNKNOWN = "unknown"
"""Language code of texts the detector cannot tell (too short, no letters, below confidence)."""

CANDIDATE_LANGUAGES = (
    "en", "pl", "ru", "uk", "de", "fr", "es", "it", "pt", "nl",
    "ar", "ja", "ko", "th", "tr", "zh",
)  # fmt: skip
"""ISO 639-1 codes detection chooses among: the 16 languages of the multilingual model (USE v3)
with Ukrainian in place of Chinese-Traditional (py3langid has one ``zh``)."""

MIN_CONFIDENCE = 0.7
"""Probability a guess needs, else the text is :data:`UNKNOWN`."""

PLAUSIBLE = 0.1
"""An unsure text takes a language of the input's prior only if the detector gives it this much."""

DETECT_CHARS = 200
"""Only the beginning of a text is read. Detection walks the bytes in Python, so its cost grows
with this: on 10,000 clothing reviews 200 characters gave the same language as 1,000 for every
review, in half the time (2.5 s instead of 4.7 s)."""

DEFAULT_MODEL_LANGUAGES = ("en",)
"""Languages the default embedding model (all-MiniLM-L6-v2, trained on English) reads well."""

DEFAULT_MODEL_SHARE = 0.9
"""``language="auto"`` keeps the default model when at least this share of the texts whose
language was detected is in :data:`DEFAULT_MODEL_LANGUAGES`; below it, the multilingual model."""


class LanguageGuess(BaseModel):
    """The detected language of one text (ISO 639-1 code or ``"unknown"``) and its probability.

    >>> LanguageGuess(code="pl", confidence=0.98).code
    'pl'
    """

    model_config = ConfigDict(frozen=True)

    code: str
    confidence: float


class LanguageMix(BaseModel):
    """How many texts are in each language (most common first; ``"unknown"`` included).

    >>> mix = language_mix(["en", "en", "pl", "unknown"])
    >>> mix.dominant, round(mix.dominant_share, 2), mix.summary()
    ('en', 0.67, 'en 67%, pl 33% (4 texts, 1 unknown)')
    """

    n_texts: int
    counts: dict[str, int]

    @property
    def known(self) -> dict[str, int]:
        """Counts without :data:`UNKNOWN`."""
        return {code: n for code, n in self.counts.items() if code != UNKNOWN}

    @property
    def shares(self) -> dict[str, float]:
        """Share of each detected language among the texts whose language is known."""
        total = sum(self.known.values())
        return {code: n / total for code, n in self.known.items()} if total else {}

    @property
    def dominant(self) -> str:
        """The most common detected language (:data:`UNKNOWN` when none was detected)."""
        return next(iter(self.known), UNKNOWN)

    @property
    def dominant_share(self) -> float:
        return self.shares.get(self.dominant, 0.0)

    def summary(self) -> str:
        """One line: ``en 80%, pl 12%, ru 8% (330 texts, 5 unknown)``."""
        parts = ", ".join(f"{code} {share:.0%}" for code, share in self.shares.items())
        unknown = self.counts.get(UNKNOWN, 0)
        tail = f"{self.n_texts} texts" + (f", {unknown} unknown" if unknown else "")
        return f"{parts or 'no language detected'} ({tail})"


def language_mix(codes: Sequence[str]) -> LanguageMix:
    """Count language codes (e.g. ``[g.code for g in detect_languages(texts)]``)."""
    counts = Counter(codes)
    ordered = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    return LanguageMix(n_texts=len(codes), counts=dict(ordered))


@cache
def _identifier(languages: tuple[str, ...]) -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    try:
        identifier.set_languages(list(languages))
    except ValueError as exc:
        raise NoomarketingError(f"language detection: {exc}") from exc
    return identifier


def detect_languages(
    texts: Sequence[str],
    *,
    languages: Sequence[str] = CANDIDATE_LANGUAGES,
    min_confidence: float = MIN_CONFIDENCE,
    cache_dir: str | Path | None = None,
    use_cache: bool = False,
) -> list[LanguageGuess]:
    """Detect the language of every text, offline and deterministically (see the module doc).

    Each distinct text is scored once. Codes are ISO 639-1; :data:`UNKNOWN` when unsure. With
    ``use_cache`` the detector's per-text probabilities are kept in the embedding cache
    (``cache_dir``), so a re-run over the same texts skips the detector (~4k texts/s); the
    guesses are still made here, since an unsure text leans on the rest of the input.

    >>> texts = ["The parcel came two weeks late", "Paczka przyszła późno", "Посылка пришла поздно"]
    >>> [g.code for g in detect_languages([*texts, "👍"])]
    ['en', 'pl', 'ru', 'unknown']
    """
    if not 0.0 < min_confidence <= 1.0:
        raise NoomarketingError("min_confidence is a probability: use a value in (0, 1]")
    candidates = tuple(sorted(set(languages)))
    unique = list(dict.fromkeys(texts))
    probabilities = _cached_probabilities(unique, candidates, cache_dir) if use_cache else {}
    todo = [text for text in unique if text not in probabilities]
    if todo:
        identifier = _identifier(candidates)
        uniform = 1.0 / len(identifier.labels)
        fresh: dict[str, dict[str, float]] = {}
        for text in todo:
            ranked = identifier.rank(str(text)[:DETECT_CHARS])
            # no n-gram of the model in the text: all scores are equal, there is no evidence
            fresh[text] = {} if ranked[0][1] <= uniform * 1.01 else dict(ranked)
        if use_cache:
            _store_probabilities(fresh, candidates, cache_dir)
        probabilities.update(fresh)
    confident = {
        max(probs, key=probs.get)
        for probs in probabilities.values()
        if probs and max(probs.values()) >= min_confidence
    }
    guesses = {text: _guess(probs, confident, min_confidence)
               for text, probs in probabilities.items()}
    return [guesses[text] for text in texts]


def _cache_key(text: str, candidates: tuple[str, ...]) -> bytes:
    return text_key(f"{','.join(candidates)}|{DETECT_CHARS}|{text}")


def _cached_probabilities(
    texts: list[str], candidates: tuple[str, ...], cache_dir: str | Path | None
) -> dict[str, dict[str, float]]:
    keys = {_cache_key(text, candidates): text for text in texts}
    found: dict[str, dict[str, float]] = {}
    with closing(open_cache(cache_dir)) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS languages (key BLOB PRIMARY KEY, probs TEXT)")
        for part in chunks(list(keys)):
            marks = ",".join("?" * len(part))
            rows = conn.execute(f"SELECT key, probs FROM languages WHERE key IN ({marks})", part)
            for key, probs in rows:
                found[keys[bytes(key)]] = json.loads(probs)
    return found


def _store_probabilities(
    probabilities: dict[str, dict[str, float]],
    candidates: tuple[str, ...],
    cache_dir: str | Path | None,
) -> None:
    with closing(open_cache(cache_dir)) as conn, conn:
        conn.execute("CREATE TABLE IF NOT EXISTS languages (key BLOB PRIMARY KEY, probs TEXT)")
        conn.executemany(
            "INSERT OR REPLACE INTO languages VALUES (?, ?)",
            [(_cache_key(t, candidates), json.dumps(p)) for t, p in probabilities.items()],
        )


def _guess(probs: dict[str, float], prior: set[str], min_confidence: float) -> LanguageGuess:
    if not probs:
        return LanguageGuess(code=UNKNOWN, confidence=0.0)
    code = max(probs, key=probs.get)
    if probs[code] >= min_confidence:
        return LanguageGuess(code=code, confidence=round(probs[code], 4))
    # unsure: choose among the languages the input is confidently written in, when one of
    # them is a plausible guess for this text
    within = {lang: p for lang, p in probs.items() if lang in prior}
    total = sum(within.values())
    if total > 0:
        best = max(within, key=within.get)
        if probs[best] >= PLAUSIBLE and within[best] / total >= min_confidence:
            return LanguageGuess(code=best, confidence=round(within[best] / total, 4))
    return LanguageGuess(code=UNKNOWN, confidence=round(probs[code], 4))


def auto_embedding(mix: LanguageMix | None) -> tuple[str, str]:
    """The embedding ``language="auto"`` picks for a language mix, and why (one sentence).

    Returns ``("default", why)`` or ``("multilingual", why)``.

    >>> auto_embedding(language_mix(["en"] * 95 + ["pl"] * 5))[0]
    'default'
    >>> auto_embedding(language_mix(["en"] * 70 + ["pl"] * 30))[0]
    'multilingual'
    """
    if mix is None or not mix.known:
        return "default", "no language was detected, so the default model is used"
    share = sum(mix.shares.get(code, 0.0) for code in DEFAULT_MODEL_LANGUAGES)
    readable = "/".join(DEFAULT_MODEL_LANGUAGES)
    if share >= DEFAULT_MODEL_SHARE:
        return "default", (
            f"{share:.0%} of the texts are {readable} (≥ {DEFAULT_MODEL_SHARE:.0%}), "
            "which the default model reads well"
        )
    return "multilingual", (
        f"only {share:.0%} of the texts are {readable} (< {DEFAULT_MODEL_SHARE:.0%}), so the "
        "multilingual model groups them by meaning, not by language"
    )
