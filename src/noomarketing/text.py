"""Words: stop words for the languages we serve and the tokenizer keyword extraction uses."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from functools import cache, lru_cache

STOPWORD_LANGUAGES = ("en", "pl", "ru", "de", "fr", "es", "it", "uk", "pt", "nl")

# Web noise that shows up in scraped feedback and is never a customer's idea.
_NOISE = {"http", "https", "www", "com", "html", "amp", "nbsp", "quot"}

# Forms the Polish and Russian stop-word lists lack: inflected possessive and personal pronouns
# ("moją paczkę", "мою посылку") and the Polish "so that"/"if" with a person ending
# ("żebyście dodali"). Without them they rank as keywords of Polish/Russian segments and open
# labels.
_SLAVIC_FORMS = """
moją mojej mojego mojemu moim moimi moich twoją twojej twojego twoim twoich swoją swojej swojego
swojemu swoim swoimi swoich naszą naszej naszego naszym naszych waszą waszej waszego waszym
waszych mną tobą sobą
мою моей моего моему моим моими моих твою твоей твоего твоим твоих свою своей своего своему
своим своими своих нашу нашей нашего нашим наших вашу вашей вашего вашим ваших мной тобой собой
żebym żebyś żebyśmy żebyście abym abyś abyśmy abyście gdybym gdybyś gdybyśmy gdybyście
"""

# Marks that stand in for removed personal details: XXXX and xx/xx/xxxx, ***, [redacted] or
# [email] (also what LLM masking writes), {$0.00}-style template placeholders.
_REDACTION = re.compile(
    r"(?i)(?<![^\W\d_])x{2,}(?![^\W\d_])|\*{2,}|\{[^{}\n]{0,30}\}"
    r"|[\[<](?:[a-z]+[ _-])?(?:redacted|removed|deleted|hidden|masked|anonymi[sz]ed|name|email"
    r"|e-mail|phone|address|number|account|card|date|amount|id)(?:[ _-][a-z]+)?[\]>]"
)

# Every match of _REDACTION holds one of these.
_REDACTION_HINTS = ("xx", "XX", "xX", "Xx", "**", "{", "[", "<")

TOKEN_PATTERN = r"(?u)(?<!\[)\b[^\W\d_][^\W_]+\b(?!\])"
"""Words of two or more letters (digits allowed after the first letter). A word in square
brackets is not one: the placeholders of :func:`noomarketing.privacy.mask_pii` (``[email]``,
``[phone]``...) never become keywords or labels."""


@cache
def stop_words(languages: tuple[str, ...] = STOPWORD_LANGUAGES) -> frozenset[str]:
    """The union of stop-word lists (stopwordsiso) for ``languages``, lower-case.

    >>> {"the", "się", "это", "żebyście"} <= stop_words()
    True
    """
    import stopwordsiso

    words: set[str] = set(_NOISE) | set(_SLAVIC_FORMS.split())
    for lang in languages:
        if stopwordsiso.has_lang(lang):
            words |= {w.lower() for w in stopwordsiso.stopwords(lang)}
    # Add the pieces the tokenizer cuts stop words into ("ain't" → "ain"), so filtering
    # after tokenizing removes them too.
    words |= {t for w in list(words) for t in re.findall(TOKEN_PATTERN, w)}
    return frozenset(words)


def strip_redactions(text: str) -> str:
    """``text`` with redaction marks and placeholders replaced by a space: they are no
    customer's words, so they never become keywords, labels or statements.

    >>> strip_redactions("Called XXXX on XX/XX/2019 about {$0.00} and [redacted] ***")
    'Called   on  / /2019 about   and    '
    >>> strip_redactions("XXL jacket, box of xx")
    'XXL jacket, box of  '
    """
    # Most texts hold no mark at all: plain substring tests say so ~7x faster than the pattern
    # (it runs four times per text in a segmentation: noise, labels, statements, keywords).
    if not any(mark in text for mark in _REDACTION_HINTS):
        return text
    return _REDACTION.sub(" ", text)


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens without stop words.

    >>> tokenize("The delivery was LATE, again!")
    ['delivery', 'late']
    >>> tokenize("refund to [email] for the broken card")
    ['refund', 'broken', 'card']
    """
    words = stop_words()
    return [
        t for t in re.findall(TOKEN_PATTERN, strip_redactions(text).lower()) if t not in words
    ]


def surface_form(phrase: str, texts: Sequence[str]) -> str:
    """The phrase as the customers wrote it in mid-sentence: names keep their capitals.

    Candidates are read lower-cased; the most common spelling of the phrase inside a sentence
    (not at its start, where every word is capitalised) is the one a reader expects. A spelling
    in capitals throughout (shouting) is not taken.

    >>> surface_form("tony blair", ["Voters like Tony Blair.", "Tony Blair won.", "tony blair"])
    'Tony Blair'
    >>> surface_form("summer top", ["Summer top, so cute", "a summer top for the beach"])
    'summer top'
    """
    words = phrase.split()
    if not words:
        return phrase
    pattern = re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r"(?!\w)",
                         re.IGNORECASE)
    forms: Counter[str] = Counter()
    for text in texts:
        for match in pattern.finditer(text):
            before = text[: match.start()].rstrip()
            if before and before[-1] not in ".!?":
                forms[" ".join(match.group().split())] += 1
    for form, _ in forms.most_common():
        if not (form.isupper() and sum(c.isalpha() for c in form) > 3):
            return form
    return phrase


@lru_cache(maxsize=1 << 16)
def script_of(word: str) -> str:
    """The Unicode script of a word's letters (``LATIN``, ``CYRILLIC``, ...), ``""`` if none.

    Cached: the label candidates ask it for every word of every text (10,000 reviews: a million
    calls on some 15,000 distinct words).

    >>> script_of("parcel"), script_of("посылка"), script_of("42")
    ('LATIN', 'CYRILLIC', '')
    """
    scripts = {unicodedata.name(c, "?").split()[0] for c in word if c.isalpha()}
    if not scripts:
        return ""
    return scripts.pop() if len(scripts) == 1 else "MIXED"
