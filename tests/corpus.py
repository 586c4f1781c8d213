"""Small feedback corpora the tests write themselves (3 clear themes, known labels)."""

from __future__ import annotations

import random

THEMES = {
    "delivery": [
        "my parcel arrived {n} days late",
        "the courier delivered the package {n} days after the promised date",
        "shipping took {n} days, far too slow",
        "delivery was delayed by {n} days and tracking never updated",
        "the order came {n} days late, the delivery service is unreliable",
        "still waiting for my package after {n} days of shipping",
    ],
    "price": [
        "prices went up by {n} percent, too expensive now",
        "way too expensive, I found it {n} dollars cheaper elsewhere",
        "the price is not worth it, I paid {n} euros more than last year",
        "overpriced compared to other shops, {n} percent higher",
        "I would stay for a loyalty discount, the prices are too high",
        "costs keep rising, {n} dollars for a t-shirt is expensive",
    ],
    "support": [
        "customer support was rude and hung up after {n} minutes",
        "I contacted the help desk {n} times and nobody answered",
        "the support agent was unhelpful and impolite",
        "waited {n} minutes on the phone, the service staff were rude",
        "support ignored my {n} emails about the problem",
        "the hotline operator was dismissive and did not help at all",
    ],
}


def themed_feedback(per_theme: int = 30, seed: int = 7) -> tuple[list[str], list[str]]:
    """``per_theme`` texts per theme and their theme labels, shuffled deterministically."""
    rng = random.Random(seed)
    rows = []
    for theme, templates in THEMES.items():
        for i in range(per_theme):
            text = templates[i % len(templates)].format(n=rng.randint(2, 60))
            rows.append((text, theme))
    rng.shuffle(rows)
    return [t for t, _ in rows], [label for _, label in rows]
