"""Which language each customer is written to.

A customer gets messages in the language they wrote in most often (per feedback row, as
:func:`noomarketing.detect_languages` or ``SegmentModel.languages_`` found it). When that
language is unknown or has no copy, the segment's main language is used, then English.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from noomarketing.languages import UNKNOWN
from noomarketing.presentation.words import DEFAULT_LANGUAGE, LANGUAGES
from noomarketing.schema import Idea, NoomarketingError


def customer_languages(
    customer_ids: Sequence[str], codes: Sequence[str | None]
) -> dict[str, str]:
    """Each customer's most frequent detected language (ties: the one they wrote first).

    Rows with no language (``None`` or ``"unknown"``) are left out; a customer with none is
    left out too (they get their segment's language).

    >>> customer_languages(["a", "a", "a", "b", "c"], ["pl", "en", "pl", "unknown", "ru"])
    {'a': 'pl', 'c': 'ru'}
    """
    if len(customer_ids) != len(codes):
        raise NoomarketingError(
            f"got {len(codes)} language codes for {len(customer_ids)} feedback items"
        )
    counts: dict[str, Counter[str]] = {}
    for customer, code in zip(customer_ids, codes, strict=True):
        if code and code != UNKNOWN:
            counts.setdefault(str(customer), Counter())[code] += 1
    return {customer: found.most_common(1)[0][0] for customer, found in counts.items()}


def main_language(segment: Idea, available: Sequence[str] = LANGUAGES) -> str:
    """The segment's main language when there is copy in it, else English.

    >>> from noomarketing.schema import Idea
    >>> idea = Idea(segment_id=0, label="x", keywords=[], quotes=[], size=3, share=1.0,
    ...             sentiment=0.0, languages={"unknown": 0.5, "ru": 0.3, "en": 0.2})
    >>> main_language(idea)
    'ru'
    """
    if segment.language in available:
        return str(segment.language)
    known = [(share, code) for code, share in segment.languages.items() if code != UNKNOWN]
    for _share, code in sorted(known, key=lambda pair: -pair[0]):
        return code if code in available else DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def segment_audience(
    segment: Idea,
    customer_languages: Mapping[str, str] | None,
    available: Sequence[str] = LANGUAGES,
) -> tuple[list[str], dict[str, str]]:
    """The languages to write the segment's messages in, and each customer's language.

    With ``customer_languages`` (customer → code), each of the segment's customers gets their
    own language when there is copy in it, else the segment's main language (then English).
    Without it, the messages are written in every language of the segment's mix that has copy
    (the main language first) and no customer is named.
    """
    main = main_language(segment, available)
    if customer_languages is None:
        mix = [code for code, share in segment.languages.items() if share > 0]
        languages = [main] + [code for code in mix if code in available and code != main]
        return languages, {}
    recipients = {}
    for customer in segment.customer_ids:
        code = customer_languages.get(customer)
        recipients[customer] = code if code in available else main
    used = Counter(recipients.values())
    languages = sorted(used, key=lambda code: (-used[code], code)) or [main]
    return languages, recipients
