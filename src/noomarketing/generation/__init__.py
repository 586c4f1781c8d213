"""Stage 2: generate ideas that fit each segment's idea.

The default generator is offline and deterministic: a bundled, editable catalogue of retention
tactics (:func:`load_catalogue`), written by hand in English, Polish and Russian, each filled
with the segment's label, offered only to the kinds of business it suits (:func:`infer_business`
guesses the kind from an offer catalogue), ranked by fit by meaning, mood and recorded
reactions, and kept diverse (:func:`generate_ideas`). An LLM behind any OpenAI-compatible
endpoint can add candidates (:class:`LLMGenerator`, opt-in).
"""

from noomarketing.generation.business import (
    BUSINESS_DESCRIPTIONS,
    check_business,
    infer_business,
)
from noomarketing.generation.catalogue import (
    AIMS,
    BUSINESSES,
    MOODS,
    SLOTS,
    Tactic,
    TacticCopy,
    bundled_catalogue_path,
    load_catalogue,
)
from noomarketing.generation.ideas import (
    GeneratedIdea,
    IdeaCopy,
    IdeaSource,
    generate_ideas,
    label_phrase,
    segment_mood,
)
from noomarketing.generation.llm import LLMClient, LLMGenerator, mask_pii, parse_ideas

__all__ = [
    "AIMS",
    "BUSINESSES",
    "BUSINESS_DESCRIPTIONS",
    "MOODS",
    "SLOTS",
    "GeneratedIdea",
    "IdeaCopy",
    "IdeaSource",
    "LLMClient",
    "LLMGenerator",
    "Tactic",
    "TacticCopy",
    "bundled_catalogue_path",
    "check_business",
    "generate_ideas",
    "infer_business",
    "label_phrase",
    "load_catalogue",
    "mask_pii",
    "parse_ideas",
    "segment_mood",
]
