"""The catalogue of retention tactics that stage 2 instantiates for each segment.

A tactic is data, not code: the bundled ``noomarketing/data/tactics.json`` holds them, and users
add their own JSON (or YAML, when PyYAML is installed) files with the same fields:

``id``
    unique, stable: reactions are recorded against it.
``kind``
    what sort of tactic it is (``loyalty``, ``discount``, ``service_recovery``, ``personal``,
    ``upsell``, ``cross_sell``, ``education``, ``community``, ``gamification``,
    ``convenience``, ``content``, ``quality``, ``feedback``, ``sustainability``, ``referral``,
    ``exclusivity``, ``reactivation``, or any word of your own).
``title``
    a short name for the people who run the campaign.
``description``
    what the tactic is and which customers it answers; this is what gets embedded and compared
    with the segment idea, so write it in customers' terms.
``template``
    the idea for the business, one or two complete sentences with slots filled from the
    segment: ``{label}`` (the segment's label, a noun phrase: put it in quotes, "…" in
    English, „…” in Polish, «…» in Russian, where no case ending is needed) and ``{quote}``
    (the segment quote closest to this tactic, cut to 160 characters). ``{keyword}`` (the
    segment keyword closest to this tactic) and ``{keywords}`` (the three closest, joined with
    commas) still work but splice raw words into a sentence; the bundled tactics do not use
    them.
``headline`` / ``pitch``
    customer-facing copy (a subject line and one or two sentences) used by stage 3. They take
    no slots: one customer's words are never sent to other customers.
``mood``
    ``unhappy`` (answers a problem: service recovery, fixes), ``happy`` (asks more of satisfied
    customers: upsell, referral) or ``any``; see :func:`noomarketing.generation.segment_mood`.
``aim``
    ``repair`` (fixes what went wrong), ``develop`` (takes the customers a step further
    towards what they want: the method's "new idea that no one has offered him") or ``keep``
    (rewards and conveniences that keep them). Default: ``repair`` for ``unhappy`` tactics,
    ``develop`` for the others. Each segment's ideas include a ``develop`` one when any fits.
``businesses``
    the kinds of business the tactic suits (:data:`BUSINESSES`: ``retail``,
    ``subscription``, ``finance``, ``services``, or words of your own); ``["any"]`` (the
    default) suits every business. Tactics of kind ``general`` (acknowledge, fix, follow up)
    are what a segment gets when no specific tactic fits it.
``translations``
    the title, template, headline and pitch in other languages, by ISO 639-1 code:
    ``{"pl": {"title": ..., "template": ..., "headline": ..., "pitch": ...}, "ru": {...}}``.
    The fields above are the English copy. Written by people, never machine-translated:
    a language without copy falls back to English.
"""

from __future__ import annotations

import json
import string
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from noomarketing.schema import NoomarketingError

SLOTS = ("label", "keyword", "keywords", "quote")
"""Slots a tactic ``template`` may use."""

MOODS = ("unhappy", "happy", "any")

AIMS = ("repair", "develop", "keep")
"""What a tactic does for the segment: fix a problem, take them further, or keep them."""

BUSINESSES = ("retail", "subscription", "finance", "services")
"""The kinds of business the bundled tactics are written for (``"any"``: every kind)."""

ANY_BUSINESS = "any"

GENERAL_KIND = "general"
"""Kind of the honest general tactics used when nothing specific in the catalogue fits."""

Mood = Literal["unhappy", "happy", "any"]
Aim = Literal["repair", "develop", "keep"]


def _slots_in(text: str) -> list[str | None]:
    try:
        return [field for _, field, _, _ in string.Formatter().parse(text) if field is not None]
    except ValueError as exc:  # unbalanced braces
        raise ValueError(f"bad braces in {text[:60]!r}: {exc}") from exc


def _check_template(value: str) -> str:
    for slot in _slots_in(value):
        if slot not in SLOTS:
            raise ValueError(f"unknown slot {{{slot}}} in template; use only {', '.join(SLOTS)}")
    return value


def _check_no_slots(value: str) -> str:
    if _slots_in(value):
        raise ValueError("customer-facing headline/pitch take no {slots}")
    return value


class TacticCopy(BaseModel):
    """A tactic's title, template, headline and pitch in one language."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = Field(min_length=1)
    template: str = Field(min_length=1)
    headline: str = Field(min_length=1)
    pitch: str = Field(min_length=1)

    @field_validator("template")
    @classmethod
    def _known_slots(cls, value: str) -> str:
        return _check_template(value)

    @field_validator("headline", "pitch")
    @classmethod
    def _no_slots(cls, value: str) -> str:
        return _check_no_slots(value)


class Tactic(TacticCopy):
    """One retention tactic of the catalogue (see the module docstring for the fields): its
    English copy (the fields and checks of :class:`TacticCopy`) and what it is for.

    >>> t = Tactic(id="voucher", kind="discount", title="Voucher", description="a voucher",
    ...            template='A voucher for the "{label}" customers', headline="A gift",
    ...            pitch="Here you go.", translations={"pl": {"title": "Bon",
    ...            "template": "Bon dla klientów z grupy „{label}”", "headline": "Prezent",
    ...            "pitch": "Proszę bardzo."}})
    >>> t.fill({"label": "denim fans", "keyword": "", "keywords": "", "quote": ""})
    'A voucher for the "denim fans" customers'
    >>> t.fill({"label": "denim", "keyword": "", "keywords": "", "quote": ""}, "pl")
    'Bon dla klientów z grupy „denim”'
    >>> t.aim, t.businesses, t.in_language("ru").headline
    ('develop', ['any'], 'A gift')
    """

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.:-]+$")
    kind: str = Field(min_length=1)
    description: str = Field(min_length=1)
    mood: Mood = "any"
    aim: Aim | None = None
    businesses: list[str] = Field(default_factory=lambda: [ANY_BUSINESS], min_length=1)
    translations: dict[str, TacticCopy] = Field(default_factory=dict)
    source: str = "catalogue"

    @field_validator("businesses")
    @classmethod
    def _business_words(cls, value: list[str]) -> list[str]:
        words = [" ".join(str(v).lower().split()) for v in value]
        if not all(words):
            raise ValueError("a business kind is an empty word")
        return words

    @model_validator(mode="after")
    def _default_aim(self) -> Tactic:
        if self.aim is None:  # frozen model: set the derived default once, here
            object.__setattr__(self, "aim", "repair" if self.mood == "unhappy" else "develop")
        return self

    @property
    def general(self) -> bool:
        """One of the honest general tactics, used when nothing specific fits."""
        return self.kind == GENERAL_KIND

    def fits_business(self, business: str | None) -> bool:
        """Whether the tactic suits ``business`` (``None`` or ``"any"``: every tactic does)."""
        return (
            business in (None, ANY_BUSINESS)
            or ANY_BUSINESS in self.businesses
            or business in self.businesses
        )

    def in_language(self, language: str | None) -> TacticCopy:
        """The tactic's copy in ``language``, or the English copy when it has none."""
        if language and language in self.translations:
            return self.translations[language]
        return TacticCopy(title=self.title, template=self.template, headline=self.headline,
                          pitch=self.pitch)

    @property
    def languages(self) -> list[str]:
        """Languages the tactic has copy in, English first."""
        return ["en", *(code for code in self.translations if code != "en")]

    def fill(self, slots: dict[str, str], language: str | None = None) -> str:
        """The template (in ``language``, else English) with its slots filled from ``slots``.

        Without a quote, the sentence that would show it is left out rather than left empty.
        """
        template = self.in_language(language).template
        at = template.find("{quote}")
        if at >= 0 and not slots.get("quote"):
            end = template.rfind(". ", 0, at)
            if end >= 0:
                template = template[: end + 1]
        return template.format_map(slots)


CatalogueSource = str | Path | dict[str, Any] | Tactic


def bundled_catalogue_path() -> Path:
    """Path of the bundled ``tactics.json`` (copy it to start your own catalogue)."""
    return Path(str(resources.files("noomarketing").joinpath("data/tactics.json")))


def _read_file(path: Path) -> list[Any]:
    if not path.exists():
        raise NoomarketingError(f"catalogue file not found: {path}")
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() in {".yaml", ".yml"}:
            try:
                import yaml
            except ImportError as exc:
                raise NoomarketingError(
                    f"reading {path.name} needs PyYAML: pip install pyyaml (or use JSON)"
                ) from exc
            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
    except (json.JSONDecodeError, ValueError) as exc:
        raise NoomarketingError(f"could not parse catalogue {path}: {exc}") from exc
    if isinstance(data, dict) and "tactics" in data:
        data = data["tactics"]
    if not isinstance(data, list):
        raise NoomarketingError(
            f"catalogue {path} must hold a list of tactics or {{\"tactics\": [...]}}"
        )
    return data


def _as_tactic(entry: Any, where: str) -> Tactic:
    if isinstance(entry, Tactic):
        return entry
    if not isinstance(entry, dict):
        raise NoomarketingError(f"{where}: a tactic must be an object, got {type(entry).__name__}")
    try:
        return Tactic(**entry)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "tactic"
        raise NoomarketingError(
            f"{where} (id {entry.get('id')!r}): {field}: {first['msg']}"
        ) from exc


@cache
def _bundled() -> tuple[Tactic, ...]:
    path = bundled_catalogue_path()
    return tuple(_as_tactic(e, f"{path.name}[{i}]") for i, e in enumerate(_read_file(path)))


def load_catalogue(
    catalogue: CatalogueSource | Sequence[CatalogueSource] | None = None,
) -> list[Tactic]:
    """Read tactics from the bundled catalogue, files, dicts or :class:`Tactic` objects.

    ``None`` is the bundled catalogue. A path (JSON, or YAML with PyYAML) holds a list of
    tactics or ``{"tactics": [...]}``. A list mixes paths, dicts and tactics; to extend the
    bundled catalogue put :func:`bundled_catalogue_path` first. Ids must be unique overall.

    >>> len(load_catalogue()) >= 40
    True
    >>> mine = {"id": "tea", "kind": "loyalty", "title": "Free tea", "description": "free tea",
    ...         "template": "Free tea for {label}", "headline": "Tea?", "pitch": "Free tea."}
    >>> [t.id for t in load_catalogue([bundled_catalogue_path(), mine])][-1]
    'tea'
    """
    if catalogue is None:
        return list(_bundled())
    entries = [catalogue] if isinstance(catalogue, str | Path | dict | Tactic) else catalogue
    tactics: list[Tactic] = []
    for position, entry in enumerate(entries):
        if isinstance(entry, str | Path):
            path = Path(entry)
            if path == bundled_catalogue_path():
                tactics.extend(_bundled())
                continue
            tactics.extend(
                _as_tactic(e, f"{path.name}[{i}]") for i, e in enumerate(_read_file(path))
            )
        else:
            tactics.append(_as_tactic(entry, f"catalogue entry {position}"))
    if not tactics:
        raise NoomarketingError("the catalogue is empty: give at least one tactic")
    seen: set[str] = set()
    for tactic in tactics:
        if tactic.id in seen:
            raise NoomarketingError(
                f"tactic id {tactic.id!r} appears twice in the catalogue; ids must be unique"
            )
        seen.add(tactic.id)
    return tactics
