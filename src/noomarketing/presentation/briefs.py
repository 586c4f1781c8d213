"""Render one brief per segment (Markdown and HTML) and customer-facing messages per channel.

Templates (Jinja2, in ``noomarketing/presentation/templates``; override any by putting a file of
the same name in ``templates_dir``):

``brief.md.j2`` / ``brief.html.j2``
    the brief of one segment for the people running the campaign: who the segment is, what
    they say, the ranked ideas with why, and the messages. HTML is autoescaped.
``<channel>.j2`` (``email.j2``, ``sms.j2``, or your own, e.g. ``push.j2``)
    a ``body`` block and, for e-mail, a ``subject`` block; rendered once per idea and variant.

Every template gets ``words``, the fixed words of its language
(:data:`~noomarketing.presentation.words.WORDS`), and ``language``. Message templates also get
``brand`` (``None``: no brand name), ``headline`` and ``pitch`` (the idea's customer-facing
copy in the message's language), ``idea`` (the
:class:`~noomarketing.generation.GeneratedIdea`), ``segment`` (the
:class:`~noomarketing.schema.Idea`) and ``variant``. An SMS must fit one message
(:func:`~noomarketing.presentation.sms_length`): when the pitch does not fit, the headline
takes its place; then the template is rendered with ``compact`` true (leave out what is
optional); then the headline keeps only its first clauses; only then is it shortened at a
word boundary. A template too long even without them is an error.

Briefs are written in one language (``language``: the fixed words and each idea's title and
text; customers' quotes stay as they were written). Messages are written in the language each
customer wrote in (:mod:`~noomarketing.presentation.audience`): one set per language of the
segment's customers, each message naming its ``language``.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2
from pydantic import BaseModel

from noomarketing.effects import words_against_stars
from noomarketing.generation import GeneratedIdea, segment_mood
from noomarketing.presentation.audience import segment_audience
from noomarketing.presentation.sms import sms_length
from noomarketing.presentation.words import DEFAULT_LANGUAGE, words_for
from noomarketing.schema import Idea, NoomarketingError

_MD_SPECIAL = "\\`*_[]<>#|"


class Message(BaseModel):
    """One customer-facing message: an idea of a segment, in one channel, one variant."""

    segment_id: int
    tactic_id: str
    channel: str
    variant: int
    subject: str | None
    body: str
    rank: int = 1
    length: int = 0
    limit: int | None = None
    language: str = DEFAULT_LANGUAGE


class Brief(BaseModel):
    """Stage 3 output for one segment: the brief in two formats and its messages.

    ``recipients`` maps each of the segment's customers to the language of the messages they
    get (empty when ``present`` was not told the customers' languages).
    """

    segment_id: int
    label: str
    markdown: str
    html: str
    messages: list[Message]
    language: str = DEFAULT_LANGUAGE
    recipients: dict[str, str] = {}

    def __repr__(self) -> str:
        return (f"Brief(segment {self.segment_id}: {self.label!r}, "
                f"{len(self.messages)} message(s))")

    def _repr_html_(self) -> str:
        """The rendered brief's body (customer text in it is escaped by its template)."""
        start, end = self.html.find("<body>"), self.html.rfind("</body>")
        return self.html[start + 6 : end] if 0 <= start < end else self.html


def md_escape(text: Any) -> str:
    """Customer text made inert in Markdown: one line, markup characters backslashed.

    >>> md_escape("**free** <b>x</b>\\nnext")
    '\\\\*\\\\*free\\\\*\\\\* \\\\<b\\\\>x\\\\</b\\\\> next'
    """
    text = " ".join(str(text).split())
    return "".join("\\" + c if c in _MD_SPECIAL else c for c in text)


_QUOTES = {"en": ('"', '"'), "pl": ("„", "”"), "ru": ("«", "»")}


def number(value: float, fmt: str, language: str = DEFAULT_LANGUAGE) -> str:
    """``value`` formatted with ``fmt``, with a decimal comma in Polish and Russian.

    >>> number(-0.6, "%+.2f", "pl"), number(0.25, "%.1f")
    ('-0,60', '0.2')
    """
    text = fmt % value
    return text.replace(".", ",") if language in ("pl", "ru") else text


def quoted(text: Any, language: str = DEFAULT_LANGUAGE) -> str:
    """``text`` between the quotation marks of ``language``.

    >>> quoted("late parcels", "ru")
    '«late parcels»'
    """
    opening, closing = _QUOTES.get(language, _QUOTES[DEFAULT_LANGUAGE])
    return f"{opening}{text}{closing}"


def _environment(templates_dir: str | Path | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if templates_dir is not None:
        folder = Path(templates_dir)
        if not folder.is_dir():
            raise NoomarketingError(f"templates_dir is not a folder: {folder}")
        loaders.append(jinja2.FileSystemLoader(str(folder)))
    loaders.append(jinja2.PackageLoader("noomarketing.presentation", "templates"))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html.j2", "html", "htm"), default_for_string=False
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    env.filters["num"] = number
    env.filters["quoted"] = quoted
    return env


def _template(env: jinja2.Environment, name: str) -> jinja2.Template:
    try:
        return env.get_template(name)
    except jinja2.TemplateNotFound as exc:
        raise NoomarketingError(
            f"no template {name!r} in templates_dir or the bundled templates"
        ) from exc
    except jinja2.TemplateSyntaxError as exc:
        raise NoomarketingError(f"template {name!r} line {exc.lineno}: {exc.message}") from exc


def _render_block(template: jinja2.Template, block: str, context: dict[str, Any]) -> str:
    try:
        text = "".join(template.blocks[block](template.new_context(context)))
    except jinja2.TemplateError as exc:
        raise NoomarketingError(f"template {template.name!r}: {exc}") from exc
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def _shorten(text: str, words: int) -> str:
    kept = text.split()[:words]
    return " ".join(kept) + ("..." if words < len(text.split()) else "")


def _sentence(text: str) -> str:
    """A headline used as a sentence: with a full stop unless it already ends in one."""
    text = text.strip()
    return text if not text or text[-1] in ".!?…" else text + "."


def _clauses(headline: str) -> list[str]:
    """The headline shortened at its clause boundaries, longest first, each a sentence."""
    parts = [p for p in re.split(r"(?<=[?!.:,;])\s+|\s+[—–-]\s+", headline) if p]
    return [_sentence(" ".join(parts[:k]).rstrip(",;:")) for k in range(len(parts) - 1, 0, -1)]


def _fit_sms(
    template: jinja2.Template, context: dict[str, Any], idea: GeneratedIdea
) -> tuple[str, int, int]:
    """The SMS body within one message: the pitch; else the headline; else the headline
    without the template's optional extras (``compact``); else the headline's first clauses;
    else a headline cut short."""
    headline = _sentence(context["headline"])
    tries = [context | {"compact": False},
             context | {"pitch": headline, "compact": False},
             context | {"pitch": headline, "compact": True}]
    tries += [context | {"pitch": clause, "compact": True} for clause in _clauses(headline)]
    tries += [context | {"pitch": _shorten(headline, words), "compact": True}
              for words in range(len(headline.split()) - 1, -1, -1)]
    for attempt in tries:
        body = _render_block(template, "body", attempt)
        length, limit = sms_length(body)
        if length <= limit:
            return body, length, limit
    raise NoomarketingError(
        f"SMS for {idea.tactic_id!r} (segment {idea.segment_id}) is {length} characters "
        f"without any pitch; one SMS holds {limit}: shorten {template.name} or the brand"
    )


def _message(
    template: jinja2.Template, channel: str, idea: GeneratedIdea, segment: Idea,
    variant: int, brand: str | None, language: str,
) -> Message:
    copy = idea.in_language(language)
    written = language if language in idea.translations else DEFAULT_LANGUAGE
    context = {"brand": brand, "pitch": copy.pitch, "headline": copy.headline, "idea": idea,
               "segment": segment, "variant": variant, "language": written,
               "words": words_for(written), "compact": False}
    subject = None
    if "subject" in template.blocks:
        subject = _render_block(template, "subject", context) or None
    if "body" not in template.blocks:
        raise NoomarketingError(f"template {template.name!r} has no {{% block body %}}")
    if channel == "email" and subject is None:
        raise NoomarketingError(f"template {template.name!r} renders no e-mail subject")
    if channel == "sms":
        body, length, limit = _fit_sms(template, context, idea)
    else:
        body = _render_block(template, "body", context)
        length, limit = len(body), None
    return Message(
        segment_id=idea.segment_id, tactic_id=idea.tactic_id, channel=channel, variant=variant,
        subject=subject, body=body, rank=idea.rank, length=length, limit=limit,
        language=written,
    )


def words_and_stars(segment: Idea, words: Mapping[str, str]) -> str:
    """A sentence in ``words``' language where the segment's words and ratings clearly part
    ways (:func:`~noomarketing.effects.words_against_stars`), else "".

    >>> from noomarketing.presentation.words import words_for
    >>> idea = Idea(segment_id=0, label="Top fits", keywords=[], quotes=[], size=9, share=0.1,
    ...             sentiment=0.6, sentiment_impact=0.011, sentiment_impact_q=0.001,
    ...             mean_rating=4.1, rating_impact=-0.011, rating_impact_q=0.0001)
    >>> words_and_stars(idea, words_for("en")).split(":")[0]
    "Their words read happier than other customers', yet they rate lower"
    >>> words_and_stars(idea.model_copy(update={"rating_impact_q": 0.4}), words_for("en"))
    ''
    """
    turn = words_against_stars(segment.sentiment_impact, segment.sentiment_impact_q,
                               segment.rating_impact, segment.rating_impact_q)
    return {1: words["words_warmer"], -1: words["words_colder"]}.get(turn, "")


def _mood_word(mood: float) -> str:
    return "unhappy" if mood < -0.2 else "happy" if mood > 0.2 else "mixed"


def _check_present_args(
    ideas: Sequence[Idea], generated: Sequence[GeneratedIdea], channels: Sequence[str],
    variants: int, top: int | None, language: str,
) -> None:
    segment_ids = [i.segment_id for i in ideas]
    if len(set(segment_ids)) != len(segment_ids):
        raise NoomarketingError(f"segment ids must be unique, got {segment_ids}")
    for g in generated:
        if g.segment_id not in segment_ids:
            raise NoomarketingError(
                f"generated idea {g.tactic_id!r} is for segment {g.segment_id}, "
                f"which is not among the ideas given ({segment_ids})"
            )
    if not channels or len(set(channels)) != len(channels):
        raise NoomarketingError(f"channels must be distinct names, got {list(channels)}")
    if variants < 1 or (top is not None and top < 1):
        raise NoomarketingError("variants and top must be at least 1")
    words_for(language)


def _segment_messages(
    segment: Idea, mine: list[GeneratedIdea], templates: dict[str, jinja2.Template],
    languages: list[str], variants: int, top: int | None, brand: str | None,
) -> list[Message]:
    messages, seen = [], set()
    for g in mine:
        if top is not None and g.rank > top:
            continue
        for language in languages:
            written = language if language in g.translations else DEFAULT_LANGUAGE
            if (g.tactic_id, written) in seen:
                continue  # no copy in this language: its customers get the English message
            seen.add((g.tactic_id, written))
            messages += [_message(templates[c], c, g, segment, v, brand, written)
                         for c in templates for v in range(variants)]
    return messages


def present(
    ideas: Sequence[Idea],
    generated: Sequence[GeneratedIdea],
    *,
    templates_dir: str | Path | None = None,
    channels: Sequence[str] = ("email", "sms"),
    brand: str | None = None,
    variants: int = 2,
    top: int | None = 3,
    rating_range: tuple[float, float] | None = (1.0, 5.0),
    language: str = DEFAULT_LANGUAGE,
    customer_languages: Mapping[str, str] | None = None,
    business: str | None = None,
) -> list[Brief]:
    """Stage 3: a brief per segment plus message variants for its best ideas.

    Args:
        ideas: the stage-1 segment ideas; each gets a brief (in this order).
        generated: stage-2 output; every idea must belong to one of ``ideas``.
        templates_dir: a folder whose templates replace the bundled ones of the same name.
        channels: one message template ``<channel>.j2`` each.
        brand: the sender's name used in messages (``None``: messages name no brand).
        variants: message variants per idea and channel (for A/B tests).
        top: messages for ideas ranked 1..top (``None``: all); the brief lists every idea.
        rating_range: the rating scale, for the mood shown (see ``segment_mood``).
        language: the language of the briefs (``"en"``, ``"pl"`` or ``"ru"``).
        customer_languages: customer id → the language they wrote in (see
            :func:`~noomarketing.presentation.customer_languages`); each customer's messages
            are in that language. ``None``: one set per language of each segment's mix.
        business: the kind of business the ideas were chosen for, named in the brief.

    Example:
        >>> import noomarketing as nm
        >>> from noomarketing.generation import generate_ideas
        >>> idea = nm.Idea(segment_id=0, label="Refund", keywords=[], quotes=[], size=4,
        ...                share=1.0, sentiment=-0.6)
        >>> brief = present([idea], generate_ideas(idea, n=2))[0]
        >>> brief.markdown.startswith("# Segment 0: Refund"), brief.messages[0].channel
        (True, 'email')
    """
    if isinstance(ideas, Idea):
        ideas = [ideas]
    if isinstance(channels, str):
        channels = [channels]
    _check_present_args(ideas, generated, channels, variants, top, language)
    env = _environment(templates_dir)
    channel_templates = {c: _template(env, f"{c}.j2") for c in channels}
    brief_md, brief_html = _template(env, "brief.md.j2"), _template(env, "brief.html.j2")
    words = words_for(language)

    briefs = []
    for segment in ideas:
        mine = sorted((g for g in generated if g.segment_id == segment.segment_id),
                      key=lambda g: g.rank)
        languages, recipients = segment_audience(segment, customer_languages)
        messages = _segment_messages(segment, mine, channel_templates, languages, variants,
                                     top, brand)
        mood = segment_mood(segment, rating_range)
        mix = Counter(recipients.values())
        context = {
            "segment": segment, "generated": mine, "messages": messages, "brand": brand,
            "mood": mood, "mood_word": words[f"mood_{_mood_word(mood)}"],
            "words_and_stars": words_and_stars(segment, words),
            "titles": {g.tactic_id: g.in_language(language).title for g in mine},
            "copies": {g.tactic_id: g.in_language(language) for g in mine},
            "quotes": {q.row: q.text for q in segment.quotes},
            "aims": [(aim, [g for g in mine if g.aim == aim])
                     for aim in ("repair", "develop", "keep")],
            "general": bool(mine) and all(g.general for g in mine),
            "business": words.get(f"business_{business}", business) if business else None,
            "audience": ", ".join(f"{code} {n}" for code, n in mix.most_common()),
            "words": words, "language": language,
        }
        try:
            markdown, html = brief_md.render(context), brief_html.render(context)
        except jinja2.TemplateError as exc:
            raise NoomarketingError(
                f"rendering the brief of segment {segment.segment_id}: {exc}"
            ) from exc
        briefs.append(Brief(segment_id=segment.segment_id, label=segment.label,
                            markdown=markdown, html=html, messages=messages,
                            language=language, recipients=recipients))
    return briefs


def write_briefs(briefs: Sequence[Brief], folder: str | Path) -> list[Path]:
    """Write ``segment-<id>.md`` and ``segment-<id>.html`` per brief, and ``messages.csv``.

    ``messages.csv`` has one row per message (``segment_id``, ``rank``, ``tactic_id``,
    ``channel``, ``variant``, ``language``, ``subject``, ``body``, ``length``, ``limit``),
    ready for a mailer. When the briefs know their customers' languages, ``recipients.csv``
    says which messages each customer gets (``customer_id``, ``segment_id``, ``language``: a
    message in that language, or the English one when an idea has no copy in it).
    Returns the paths written.

    >>> import tempfile
    >>> write_briefs([], tempfile.mkdtemp())[-1].name
    'messages.csv'
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for brief in briefs:
        for suffix, text in ((".md", brief.markdown), (".html", brief.html)):
            path = out / f"segment-{brief.segment_id}{suffix}"
            path.write_text(text, encoding="utf-8")
            written.append(path)
    columns = ["segment_id", "rank", "tactic_id", "channel", "variant", "language", "subject",
               "body", "length", "limit"]
    path = out / "messages.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for brief in briefs:
            for m in brief.messages:
                writer.writerow(m.model_dump(include=set(columns)))
    written.append(path)
    if any(brief.recipients for brief in briefs):
        path = out / "recipients.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["customer_id", "segment_id", "language"])
            for brief in briefs:
                for customer, language in brief.recipients.items():
                    writer.writerow([customer, brief.segment_id, language])
        written.append(path)
    return written
