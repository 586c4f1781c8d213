"""Word rules of segment labels: which words say how customers feel rather than what about,
and which phrases tell what someone did rather than name a topic (:mod:`noomarketing.labels`).
"""

from __future__ import annotations

import re

# Words that say how a customer feels or how much, not what about: a label holding one names
# the mood, not the topic ("love this top"); and words that stand before the thing without
# saying which ("pair of jeans", "actual sweater"). English, Polish and Russian forms.
_GENERIC = """love loved loves loving like liked likes lovely beautiful beautifully gorgeous great
    nice cute pretty amazing awesome wonderful fantastic excellent perfect perfectly good best
    better favorite favourite fave happy glad super stunning fabulous adorable ok okay fine
    cool bad worse worst terrible awful horrible hate hated disappointed disappointing
    absolutely totally really definitely highly overall thing things stuff
    kocham kocha lubię podoba podobają podobał podobała świetny świetna świetne piękny piękna
    piękne ładny ładna ładne dobry dobra dobre najlepszy najlepsza fajny fajna fajne
    zły zła złe okropny okropna rozczarowana rozczarowany bardzo
    люблю нравится нравятся понравился понравилась понравилось отличный отличная отличное
    отлично прекрасный прекрасная красивый красивая красивое хороший хорошая хорошее хорошо
    супер классный классная лучший лучшая плохой плохая плохо ужасный ужасная ужасно
    очень day days week weeks month months year years lot bit way recommend recommended adore
    retailer awhile wonderfully nicely
    adored pair pairs actual actually polecam polecamy rekomenduję рекомендую советую"""
GENERIC_WORDS = frozenset(_GENERIC.split())

# A label that opens on a verb tells what someone did ("exchanged the jacket", "emailed
# support", "zamknął zgłoszenie"), not what the segment is about. Past tenses of Polish and
# Russian by their endings (less nouns that end alike), English by frequent narrative verbs and
# "-ed" before a determiner, and the Polish and Russian forms of the same verbs that say what
# someone does or will do ("kupię znowu", "закажу ещё").
_NARRATIVE_TEXT = """
    bought buy called choose chose contacted emailed exchanged feel felt gave get got keep kept
    messaged ordered paid phoned purchased received returned return sent tried waited wear went
    wore wrote
    kupię kupuję kupujemy zamówię zamawiam zwrócę zwracam oddam wrócę noszę
    куплю покупаю закажу заказываю верну возвращаю вернусь ношу
"""
_NARRATIVE = frozenset(_NARRATIVE_TEXT.split())
# The past forms among them, and a few more: a phrase that ends on one stops after its verb
# ("vest looked", "parcel arrived", "job and fell": how it looked, when it arrived, what it
# fell behind on is cut off). Not the verbs that say what went wrong ("zipper broke").
_NARRATED = frozenset(w for w in _NARRATIVE if w.endswith("ed")) | frozenset(
    (
        "arrived",
        "came",
        "fell",
        "spoke",
        "said",
        "told",
        "took",
        "turned",
        "bought",
        "chose",
        "felt",
        "gave",
        "got",
        "kept",
        "paid",
        "sent",
        "went",
        "wore",
        "wrote",
        "looked",
        "saw",
    )
)
_PAST = re.compile(r"(?:ął|ół|ógł|[aeiyu]ł|łem|łam|łeś|łaś|[аяеиыуо]л|[аяеиы]л[аио]|[аи]лся)$")
_NOT_PAST_TEXT = """
    materiał kanał dział sygnał upał zapał szał ideał материал канал сериал журнал сигнал финал
    идеал персонал зал вокзал отдел предел раздел пробел сила дела начала модели стол недели
    цели
"""
_NOT_PAST = frozenset(_NOT_PAST_TEXT.split())


def opens_on_verb(phrase: str) -> bool:
    """Whether a phrase starts with a verb that narrates what someone did.

    >>> [opens_on_verb(p) for p in ("exchanged the jacket", "recycled packaging",
    ...                             "zamknął zgłoszenie", "закрыл обращение", "материал тонкий",
    ...                             "kupię znowu", "закажу ещё")]
    [True, False, True, True, False, True, True]
    """
    words = phrase.lower().split()
    first = words[0] if words else ""
    if first in _NARRATIVE:
        return True
    if first.endswith(("ed", "ing")) and len(words) > 1 and words[1] in DETERMINERS:
        return True
    return len(first) > 3 and first not in _NOT_PAST and _PAST.search(first) is not None


# Verbs that end an English purpose clause: "top to wear", "skirt to work" name no topic.
_INFINITIVES = _NARRATIVE | frozenset(("wear", "work", "use", "see", "look", "go", "try"))


def narrates(phrase: str) -> bool:
    """Whether a phrase tells what someone did or does rather than naming a topic.

    It opens on a narrating verb (:func:`opens_on_verb`, "buying the shirt" too), ends on an
    English infinitive ("top to wear") or a narrating past form ("vest looked"), or holds a
    determiner inside ("eyeing this skirt"): the tail of a clause, not a name.

    >>> [narrates(p) for p in ("exchanged the jacket", "top to wear", "fits true to size",
    ...                        "summer top", "buying the shirt", "vest looked",
    ...                        "description that vest", "blouse for curvy women",
    ...                        "parcel arrived", "job and fell", "zipper broke")]
    [True, True, False, False, True, True, True, False, True, True, False]
    """
    words = phrase.lower().split()
    to_verb = len(words) > 2 and words[-2] == "to" and words[-1] in _INFINITIVES
    # "eyeing this skirt", "description that vest": a determiner inside follows a verb
    # or the tail of another clause, never the head of a name
    inner = any(w in DETERMINERS for w in words[1:-1])
    # "vest looked", "dress bought": a clause cut after its verb
    past = len(words) > 1 and words[-1] in _NARRATED
    return to_verb or inner or past or opens_on_verb(phrase)


# A phrase that stops right before one of these cut its object off ("lost | its shape").
DETERMINERS = frozenset(
    (
        "the",
        "a",
        "an",
        "its",
        "my",
        "your",
        "his",
        "her",
        "their",
        "our",
        "this",
        "that",
        "these",
        "those",
    )
)
