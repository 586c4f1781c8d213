"""Stage 2: generate ideas that fit each segment's idea.

The default generator is offline and deterministic: a bundled, editable catalogue of retention
tactics (:func:`load_catalogue`), each instantiated with the segment's own words, ranked by
semantic fit, mood and recorded reactions, and kept diverse (:func:`generate_ideas`). An LLM
behind any OpenAI-compatible endpoint can add candidates (:class:`LLMGenerator`, opt-in).
"""

from noomarketing.generation.catalogue import (
    MOODS,
    SLOTS,
    Tactic,
    bundled_catalogue_path,
    load_catalogue,
)
from noomarketing.generation.ideas import GeneratedIdea, IdeaSource, generate_ideas, segment_mood
from noomarketing.generation.llm import LLMClient, LLMGenerator, mask_pii, parse_ideas

__all__ = [
    "MOODS",
    "SLOTS",
    "GeneratedIdea",
    "IdeaSource",
    "LLMClient",
    "LLMGenerator",
    "Tactic",
    "bundled_catalogue_path",
    "generate_ideas",
    "load_catalogue",
    "mask_pii",
    "parse_ideas",
    "segment_mood",
]
