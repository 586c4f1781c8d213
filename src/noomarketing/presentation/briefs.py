"""Render one brief per segment (Markdown and HTML) and customer-facing messages per channel.

Templates (Jinja2, in ``noomarketing/presentation/templates``; override any by putting a file of
the same name in ``templates_dir``):

``brief.md.j2`` / ``brief.html.j2``
    the brief of one segment for the people running the campaign: who the segment is, what
    they say, the ranked ideas with why, and the messages. HTML is autoescaped.
``<channel>.j2`` (``email.j2``, ``sms.j2``, or your own, e.g. ``push.j2``)
    a ``body`` block and, for e-mail, a ``subject`` block; rendered once per idea and variant.

Message templates get ``brand``, ``pitch`` (the idea's customer-facing copy), ``idea`` (the
:class:`~noomarketing.generation.GeneratedIdea`), ``segment`` (the
:class:`~noomarketing.schema.Idea`) and ``variant``. An SMS must fit one message
(:func:`~noomarketing.presentation.sms_length`): the pitch is shortened at a word boundary
until it does, and a template too long even without a pitch is an error.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2
from pydantic import BaseModel

from noomarketing.generation import GeneratedIdea, segment_mood
from noomarketing.presentation.sms import sms_length
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


class Brief(BaseModel):
    """Stage 3 output for one segment: the brief in two formats and its messages."""

    segment_id: int
    label: str
    markdown: str
    html: str
    messages: list[Message]

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


def _message(
    template: jinja2.Template, channel: str, idea: GeneratedIdea, segment: Idea,
    variant: int, brand: str,
) -> Message:
    context = {"brand": brand, "pitch": idea.pitch, "idea": idea, "segment": segment,
               "variant": variant}
    subject = None
    if "subject" in template.blocks:
        subject = _render_block(template, "subject", context) or None
    if "body" not in template.blocks:
        raise NoomarketingError(f"template {template.name!r} has no {{% block body %}}")
    if channel == "email" and subject is None:
        raise NoomarketingError(f"template {template.name!r} renders no e-mail subject")
    body = _render_block(template, "body", context)
    length, limit = len(body), None
    if channel == "sms":
        words = len(idea.pitch.split())
        length, limit = sms_length(body)
        while length > limit and words > 0:
            words -= 1
            body = _render_block(template, "body", context | {"pitch": _shorten(idea.pitch, words)})
            length, limit = sms_length(body)
        if length > limit:
            raise NoomarketingError(
                f"SMS for {idea.tactic_id!r} (segment {idea.segment_id}) is {length} characters "
                f"without any pitch; one SMS holds {limit}: shorten {template.name} or the brand"
            )
    return Message(
        segment_id=idea.segment_id, tactic_id=idea.tactic_id, channel=channel, variant=variant,
        subject=subject, body=body, rank=idea.rank, length=length, limit=limit,
    )


def _mood_word(mood: float) -> str:
    return "unhappy" if mood < -0.2 else "happy" if mood > 0.2 else "mixed"


def present(
    ideas: Sequence[Idea],
    generated: Sequence[GeneratedIdea],
    *,
    templates_dir: str | Path | None = None,
    channels: Sequence[str] = ("email", "sms"),
    brand: str = "our shop",
    variants: int = 2,
    top: int | None = 3,
    rating_range: tuple[float, float] | None = (1.0, 5.0),
) -> list[Brief]:
    """Stage 3: a brief per segment plus message variants for its best ideas.

    Args:
        ideas: the stage-1 segment ideas; each gets a brief (in this order).
        generated: stage-2 output; every idea must belong to one of ``ideas``.
        templates_dir: a folder whose templates replace the bundled ones of the same name.
        channels: one message template ``<channel>.j2`` each.
        brand: the sender's name used in messages.
        variants: message variants per idea and channel (for A/B tests).
        top: messages for ideas ranked 1..top (``None``: all); the brief lists every idea.
        rating_range: the rating scale, for the mood shown (see ``segment_mood``).

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
    segment_ids = [i.segment_id for i in ideas]
    if len(set(segment_ids)) != len(segment_ids):
        raise NoomarketingError(f"segment ids must be unique, got {segment_ids}")
    for g in generated:
        if g.segment_id not in segment_ids:
            raise NoomarketingError(
                f"generated idea {g.tactic_id!r} is for segment {g.segment_id}, "
                f"which is not among the ideas given ({segment_ids})"
            )
    if isinstance(channels, str):
        channels = [channels]
    if not channels or len(set(channels)) != len(channels):
        raise NoomarketingError(f"channels must be distinct names, got {list(channels)}")
    if variants < 1 or (top is not None and top < 1):
        raise NoomarketingError("variants and top must be at least 1")
    env = _environment(templates_dir)
    channel_templates = {c: _template(env, f"{c}.j2") for c in channels}
    brief_md, brief_html = _template(env, "brief.md.j2"), _template(env, "brief.html.j2")

    briefs = []
    for segment in ideas:
        mine = sorted((g for g in generated if g.segment_id == segment.segment_id),
                      key=lambda g: g.rank)
        messages = [
            _message(channel_templates[c], c, g, segment, v, brand)
            for g in mine if top is None or g.rank <= top
            for c in channels
            for v in range(variants)
        ]
        mood = segment_mood(segment, rating_range)
        context = {
            "segment": segment, "generated": mine, "messages": messages, "brand": brand,
            "mood": mood, "mood_word": _mood_word(mood),
            "titles": {g.tactic_id: g.title for g in mine},
        }
        try:
            markdown, html = brief_md.render(context), brief_html.render(context)
        except jinja2.TemplateError as exc:
            raise NoomarketingError(
                f"rendering the brief of segment {segment.segment_id}: {exc}"
            ) from exc
        briefs.append(Brief(segment_id=segment.segment_id, label=segment.label,
                            markdown=markdown, html=html, messages=messages))
    return briefs


def write_briefs(briefs: Sequence[Brief], folder: str | Path) -> list[Path]:
    """Write ``segment-<id>.md`` and ``segment-<id>.html`` per brief, and ``messages.csv``.

    ``messages.csv`` has one row per message (``segment_id``, ``rank``, ``tactic_id``,
    ``channel``, ``variant``, ``subject``, ``body``, ``length``, ``limit``), ready for a mailer.
    Returns the paths written.

    >>> write_briefs([], "/tmp/nm-briefs-doctest")[-1].name
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
    columns = ["segment_id", "rank", "tactic_id", "channel", "variant", "subject", "body",
               "length", "limit"]
    path = out / "messages.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for brief in briefs:
            for m in brief.messages:
                writer.writerow(m.model_dump(include=set(columns)))
    written.append(path)
    return written
