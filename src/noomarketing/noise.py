"""Feedback with nothing to act on: spam, bare links, gibberish, "ok", "👍", "aaaaa".

Such feedback is no customer's idea: it is marked ``noise`` with a reason (``assignments.csv``),
kept out of keywords, labels, quotes, statements, generated ideas and proposals, and counted in
the summary, never dropped. :func:`noise_reason` is a pure function of one text (no model, no
language detection), so it runs before anything expensive and gives the same answer everywhere.

The rules, in order:

* ``only redacted details``: nothing is left once masks such as ``XXXX``, ``***``,
  ``[redacted]`` are removed (:func:`noomarketing.text.strip_redactions`);
* ``no words (symbols or emoji only)``: no letter at all ("👍", "...", "12345");
* ``spam or advertising``: money or follower bait, giveaways, "click here", messenger contact
  bait ("earn $500 a day", "BUY CHEAP FOLLOWERS", "crypto giveaway") in English, Polish or
  Russian, together with a link or with a second such cue, in a text dense with them (at
  least one cue or link per 12 words: a news story about a casino is not an advert);
* ``link without a message``: a link with fewer than three other words;
* ``repeated characters``: one or two characters over and over ("aaaaaa", "hahaha", "!!!!");
* ``gibberish``: most words are keyboard runs ("asdf", "фыва") or unpronounceable (no vowel
  in a long word, six consonants in a row);
* ``too short to act on``: at most three words, none with content beyond stop words and
  pleasantries of the languages the project reads ("ok", "good", "thanks", "спасибо",
  "норм", "dzięki", "super").

A real complaint that mentions a link, a price or a short word ("Size M, too tight") is kept.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import numpy as np

from noomarketing.schema import Feedback, Idea, NoomarketingError
from noomarketing.text import TOKEN_PATTERN, stop_words, strip_redactions

REDACTED = "only redacted details"
SYMBOLS = "no words (symbols or emoji only)"
SPAM = "spam or advertising"
LINK = "link without a message"
REPEATED = "repeated characters"
GIBBERISH = "gibberish"
SHORT = "too short to act on"

REASONS = (REDACTED, SYMBOLS, SPAM, LINK, REPEATED, GIBBERISH, SHORT)
"""Every reason :func:`noise_reason` gives, in the order the rules are tried."""

_LINK = re.compile(
    r"(?i)\b(?:https?://\S+|www\.\S+|[\w-]+\.(?:com|net|org|ru|pl|io|info|biz|xyz|top|example)"
    r"(?:/\S*)?)"
)
# Matched against the lower-cased text, with the word boundary in front of all but the "$"
# cue: one case-insensitive alternation that tried each cue at every position cost 1.1 s of
# CPU on 10,000 clothing reviews, this 0.1 s.
_SPAM_CUES = re.compile(
    r"\$\s?\d+\s*(?:a|per)\s+(?:day|hour|week)"
    r"|\b(?:earn\b|make\s+\$|click\s+(?:here|now|the\s+link)\b"
    r"|followers\b|likes\s+now\b|buy\s+cheap\b|crypto|bitcoin|btc\b|giveaway"
    r"|casino\b|free\s+money\b|from\s+home\b|whats\s?app\b|telegram\b"
    r"|viagra\b|dm\s+me\b"
    r"|zarabiaj|zarób|kliknij|darmow\w+\s+pieniąd|kryptowalut"
    r"|заработ\w*|заработок|кликн\w*|перейди\w*|крипт\w*|подписчик\w*|казино\b"
    r"|бесплатн\w+\s+деньг|пиши\s+в\s+(?:тг|телеграм|ватсап))"
)
_LATIN_VOWELS = set("aeiouyąęóáéíúàèìòùäöüâêîôûãõœæ")
_CYRILLIC_VOWELS = set("аеёиоуыэюяіїє")
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю")
# Pleasantries and fillers that carry no request on their own (stop words are added to them).
_CONTENTLESS_WORDS = """
ok okay okey k kk fine good great nice cool super awesome perfect excellent amazing love like
thanks thank thx ty yes yeah yep no nope nothing none na n/a hi hello hey test testing lol wow
meh bad poor idk whatever hm hmm asap well
ок окей норм нормально хорошо отлично супер класс круто спасибо спс благодарю да нет ничего
привет тест ага угу плохо пойдет сойдет
dobrze dobre dobry super fajnie fajne świetnie ekstra dzięki dziękuję tak nie nic brak cześć
test spoko okej słabo źle
"""
_CONTENTLESS = frozenset(_CONTENTLESS_WORDS.split())
_REPEAT = re.compile(r"^(.{1,2})\1{2,}$")


def _is_keyboard_run(word: str) -> bool:
    """Four or more keys next to each other on one keyboard row ("asdf", "фыва")."""
    if len(word) < 4:
        return False
    for row in _KEYBOARD_ROWS:
        for start in range(len(word) - 3):
            if word[start : start + 4] in row or word[start : start + 4][::-1] in row:
                return True
    return False


def _is_unpronounceable(word: str) -> bool:
    """A long word without a vowel, or with six consonants in a row."""
    if len(word) < 4 or not word.isalpha():
        return False
    vowels = _CYRILLIC_VOWELS if any("а" <= c <= "я" or c == "ё" for c in word) else _LATIN_VOWELS
    if not any(c in vowels for c in word):
        return len(word) >= 5 or len(set(word)) >= 3
    run = longest = 0
    for char in word:
        run = 0 if char in vowels else run + 1
        longest = max(longest, run)
    return longest >= 6


@functools.lru_cache(maxsize=1 << 16)
def _is_odd_word(word: str) -> bool:
    """A keyboard run or an unpronounceable word; cached: reviews repeat their words a lot
    (10,000 clothing reviews: 8.8 s of CPU without the cache)."""
    return _is_keyboard_run(word) or _is_unpronounceable(word)


def _is_gibberish(words: list[str]) -> bool:
    odd = [w for w in words if _is_odd_word(w)]
    return bool(odd) and len(odd) * 2 >= len(words)


def noise_reason(text: str) -> str | None:
    """Why ``text`` has nothing to act on, or ``None`` when it is real feedback.

    >>> noise_reason("The parcel came two weeks late.") is None
    True
    >>> [noise_reason(t) for t in ["ok", "👍", "asdfgh", "Earn $500 a day, click www.x.com"]]
    ['too short to act on', 'no words (symbols or emoji only)', 'gibberish', 'spam or advertising']
    >>> noise_reason("Хочу больше размеров") is None, noise_reason("спасибо!")
    (True, 'too short to act on')
    """
    if not isinstance(text, str):
        raise TypeError(f"noise_reason takes a string, got {type(text).__name__}")
    cleaned = strip_redactions(text)
    if text.strip() and not cleaned.strip():
        return REDACTED
    if not any(c.isalpha() for c in cleaned):
        return SYMBOLS
    links = _LINK.findall(cleaned)
    cues = _SPAM_CUES.findall(cleaned.lower())
    rest = _LINK.sub(" ", cleaned).lower()
    words = re.findall(TOKEN_PATTERN, rest)
    # an article that mentions a casino and earnings is not an advert: spam is dense with bait
    if cues and (links or len(cues) >= 2) and 12 * (len(cues) + len(links)) >= len(words):
        return SPAM
    if links and len(words) < 3:
        return LINK
    compact = re.sub(r"\s+", "", rest)
    if len(compact) >= 3 and _REPEAT.match(compact):
        return REPEATED
    if _is_gibberish(words):
        return GIBBERISH
    if len(words) <= 3:
        known = stop_words() | _CONTENTLESS
        if all(w in known for w in words):
            return SHORT
    return None


def noise_reasons(texts: Sequence[str]) -> list[str | None]:
    """:func:`noise_reason` of every text, each distinct text checked once (spam and
    copy-paste repeat).

    >>> noise_reasons(["good", "The zipper broke after a week", "good"])
    ['too short to act on', None, 'too short to act on']
    """
    found: dict[str, str | None] = {}
    reasons = []
    for text in texts:
        if isinstance(text, str) and text in found:
            reasons.append(found[text])
        else:  # noise_reason raises its clear error on a non-string before it is hashed
            reasons.append(found.setdefault(text, noise_reason(text)))
    return reasons


def noise_rows(
    reasons: Sequence[str | None], labels: Sequence[int] | np.ndarray, noise_segments: set[int]
) -> np.ndarray:
    """Which items are noise: their own text, or their segment is mostly noise.

    >>> noise_rows(["spam or advertising", None, None], [0, 0, 3], {3}).tolist()
    [True, False, True]
    """
    labels = np.asarray(labels)
    own = np.array([r is not None for r in reasons], dtype=bool)
    return own | np.isin(labels, sorted(noise_segments))


def set_aside(
    feedback: Feedback,
    labels: np.ndarray,
    ideas: Sequence[Idea],
    embeddings: np.ndarray | None = None,
    reasons: Sequence[str | None] | None = None,
) -> tuple[Feedback, np.ndarray, np.ndarray | None, list[str]]:
    """Feedback, labels and embeddings without the noise, and the customers who wrote only noise.

    ``reasons`` are the items' :func:`noise_reason` (computed when not given); items of a
    segment flagged ``noise`` go too. Stage 5 calls this so nobody gets an offer for "ok".
    """
    if reasons is None:
        reasons = noise_reasons(feedback.texts)
    elif len(reasons) != len(feedback):
        raise NoomarketingError(f"got {len(reasons)} noise reasons for {len(feedback)} items")
    drop = noise_rows(reasons, labels, {idea.segment_id for idea in ideas if idea.noise})
    if not drop.any():
        return feedback, labels, embeddings, []
    keep = np.flatnonzero(~drop)
    kept_customers = {feedback.items[i].customer_id for i in keep}
    only_noise = list(dict.fromkeys(
        feedback.items[i].customer_id for i in np.flatnonzero(drop)
        if feedback.items[i].customer_id not in kept_customers
    ))
    vectors = None if embeddings is None else np.asarray(embeddings)[keep]
    return feedback.subset(keep), np.asarray(labels)[keep], vectors, only_noise


def reasons_for(feedback: Feedback, noise: bool | Sequence[str | None]) -> list[str | None]:
    """One noise reason (or ``None``) per item: detected (``noise=True``), none
    (``False``), or as given (one reason or ``None`` per item).

    >>> reasons_for(Feedback.from_texts(["ok", "the parcel came a week late"]), True)[1] is None
    True
    """
    if noise is True:
        return noise_reasons(feedback.texts)
    if noise is False:
        return [None] * len(feedback)
    if isinstance(noise, str) or not isinstance(noise, Sequence) or len(noise) != len(feedback):
        raise NoomarketingError(
            f"noise must be True, False or one reason (or None) per item ({len(feedback)})"
        )
    return list(noise)
