"""Words: stop words for the languages we serve and the tokenizer keyword extraction uses."""

from __future__ import annotations

import html
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

# HTML that web forms and CRM exports leave in feedback: the tags of text formatting, and
# entities ("&amp;", "&nbsp;", "&#39;"). A line or block ends where its tag is.
_TAG_NAMES = (r"a|b|i|u|s|p|br|hr|em|strong|span|div|font|img|li|ul|ol|h[1-6]|table|tr|td|th|"
              r"tbody|thead|sup|sub|small|big|blockquote|pre|code|center")
_BREAK_TAG = re.compile(r"(?i)<(?:br|hr|/?p|/?div|/?li|/h[1-6]|/tr|/blockquote)\b[^<>]*>")
_TAG = re.compile(rf"(?i)</?(?:{_TAG_NAMES})\b[^<>]*>")
_ENTITY = re.compile(r"&(?:[a-zA-Z][a-zA-Z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")

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


def without_markup(text: str) -> str:
    """``text`` with the HTML of a web form read as text: formatting tags taken out (a line
    break or a paragraph becomes a new line), entities decoded. Text with no tag or entity comes
    back as it is, and so does what only looks like one ("<3", "a < b", "AT&T").

    >>> without_markup("Lovely dress!<br><br>Will buy <b>again</b> &amp; again&nbsp;:)")
    'Lovely dress!\\n\\nWill buy again & again :)'
    >>> without_markup("I <3 it, AT&T is slow"), without_markup("<email> wrote")
    ('I <3 it, AT&T is slow', '<email> wrote')
    >>> without_markup("i&amp;amp;#39;m 5&#39;2")
    "i'm 5'2"
    """
    if "<" not in text and "&" not in text:
        return text
    plain = _TAG.sub("", _BREAK_TAG.sub("\n", text))
    for _ in range(5):  # scraped text is often encoded more than once: "&amp;amp;#39;"
        if not _ENTITY.search(plain):
            break
        plain = html.unescape(plain).replace("\xa0", " ")
    return plain


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
