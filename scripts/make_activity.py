"""Write the bundled example activity (src/noomarketing/data/example_activity.csv).

Made up by this project, for the customers of the example feedback: one row per purchase
(``customer_id``, ``date``, ``value``) from January 2025 to August 2026. Customers whose idea the
shop does not feed (late delivery, rude support, poor quality) buy less often and leave sooner;
those it does (style, sustainability) stay. Deterministic: re-running it writes the same file.

    python scripts/make_activity.py
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "src" / "noomarketing" / "data"
FEEDBACK = DATA / "example_feedback.csv"
OUT = DATA / "example_activity.csv"

# the order of themes in scripts/make_example.py: customer n's main theme is THEMES[n % 7]
THEMES = ["delivery", "sizing", "price", "support", "quality", "eco", "style"]
# per theme: chance to buy in a month, chance to leave for good after a month
HABITS = {
    "delivery": (0.45, 0.10),
    "sizing": (0.50, 0.06),
    "price": (0.55, 0.07),
    "support": (0.35, 0.14),
    "quality": (0.40, 0.11),
    "eco": (0.60, 0.03),
    "style": (0.65, 0.02),
}
FIRST, LAST = date(2025, 1, 1), date(2026, 8, 31)


def main() -> None:
    with FEEDBACK.open(encoding="utf-8") as handle:
        customers = sorted({r["customer_id"] for r in csv.DictReader(handle)
                            if r["customer_id"].startswith("C")})
    rng = random.Random(20260901)
    rows = []
    for cid in customers:
        buy, leave = HABITS[THEMES[int(cid[1:]) % len(THEMES)]]
        month = FIRST + timedelta(days=rng.randint(0, 540))
        first = True
        while month <= LAST:
            if first or rng.random() < buy:
                day = month + timedelta(days=rng.randint(0, 27))
                if day <= LAST:
                    rows.append({"customer_id": cid, "date": day.isoformat(),
                                 "value": round(rng.uniform(15, 160), 2)})
            first = False
            if rng.random() < leave:
                break
            month += timedelta(days=30)
    rows.sort(key=lambda r: (r["date"], r["customer_id"]))
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["customer_id", "date", "value"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} purchases of {len(customers)} customers to {OUT}")


if __name__ == "__main__":
    main()
