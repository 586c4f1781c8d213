"""Kind of business: is the kind that ``run`` infers from an offer catalogue the right one?

    PYTHONPATH=src HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/business.py

Stage 2 offers a segment only the tactics of the business it serves, and ``run`` infers the
kind from the offers when none is given (:func:`noomarketing.generation.infer_business`: each
offer embedded with the default model, the kind whose description is nearest on average). The
catalogues, each of a known kind: the bundled example shop's (24 offers), the two clothing
catalogues of ``proposals.py``, and nine small catalogues written here, four or five offers
each, as the business would write them. The descriptions' second sentences (what each kind
offers) were written while reading the first five catalogues below (and a bank's offers in the
tests); the last seven were not looked at until the sentences were written.

For each catalogue the kind inferred with the library's descriptions, the margin of its mean
similarity over the next kind's, and the kind inferred with the first sentence of each
description alone (what the kind is, without what it offers), in the same run.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd
from _perf import load_note, machine_note, markdown

import noomarketing as nm
from noomarketing.embedding import resolve_embedder
from noomarketing.generation.business import BUSINESS_DESCRIPTIONS, infer_business

HERE = Path(__file__).resolve().parent
OFFERS_SENTENCE = " Offers such as"

WRITTEN = {  # name: (kind, offers as "name. description")
    "shop, four offers": ("retail", [
        "Free shipping over 50. Free delivery on orders above 50",
        "Petite range. A new petite range with shorter trousers and a size guide",
        "Loyalty points. Points on every order for regular customers",
        "Priority support. A direct line to a senior agent who answers within a day"]),
    "bank": ("finance", [
        "Fee-free account. No monthly fee on the current account for a year",
        "Lower loan rate. A lower interest rate for customers who repay on time",
        "Card cashback. 1% back on every card payment",
        "Instant transfers. Send money to any bank in seconds"]),
    "telecom": ("subscription", [
        "Double data. Twice the mobile data for the same monthly price",
        "Family plan. Up to four lines on one bill",
        "Streaming add-on. A free month of streaming with your plan",
        "No-contract SIM. Cancel any time, no fees",
        "Priority support. A direct line to a senior agent"]),
    "hair salon": ("services", [
        "Tenth visit free. Every tenth haircut is on us",
        "Online booking. Book your appointment in the app",
        "Priority appointments. Regulars get the first free slots",
        "Free consultation. A stylist advises you before the treatment",
        "Loyalty points. Points for every visit"]),
    "bookshop": ("retail", [
        "Signed first editions. Pre-order signed copies of new novels",
        "Reading club discount. 10% off for club members on every book",
        "Gift wrapping. Books wrapped by hand at no charge",
        "Next-day delivery. Order by 6 pm, read tomorrow"]),
    "furniture shop": ("retail", [
        "Free assembly. Our team assembles your wardrobe at home",
        "Sofa fabric samples. Five samples posted free",
        "Price match. We match any lower price on the same chair",
        "Extended warranty. Five years on every mattress"]),
    "gym": ("subscription", [
        "Annual membership at 10 months' price. Pay for ten months, train for twelve",
        "Freeze your membership. Pause up to three months a year",
        "Bring a friend. A free guest pass every month",
        "Personal trainer session. One free session for new members"]),
    "insurer": ("finance", [
        "No-claims bonus protection. Keep your discount after one claim",
        "Multi-car discount. 15% off each extra car on the policy",
        "Fast claims. Most claims paid within 48 hours",
        "Travel cover add-on. Worldwide cover for a small monthly fee"]),
    "garage": ("services", [
        "Free winter check. Battery, tyres and lights checked at no cost",
        "Courtesy car. A car while yours is in the workshop",
        "Online booking. Book a service slot in two clicks",
        "Fixed-price MOT. One price, no surprises"]),
}
# the first five were read while the descriptions' offers sentences were written
ORDER = ["example shop", "clothing departments", "shop, four offers", "telecom", "hair salon",
         "clothing classes", "bank", "bookshop", "furniture shop", "gym", "insurer", "garage"]
READ = 5


def catalogues() -> dict[str, tuple[str, list[str]]]:
    """Every catalogue by name: its kind and its offers' texts (name and description)."""
    found: dict[str, tuple[str, list[str]]] = {
        "example shop": ("retail", [o.text for o in nm.load_offers(nm.example_offers_path())]),
    }
    for name, file in (("clothing departments", "clothing_departments.csv"),
                       ("clothing classes", "clothing_classes.csv")):
        offers = pd.read_csv(HERE / "catalogues" / file)
        found[name] = ("retail", (offers["name"] + ". " + offers["description"]).tolist())
    return {name: (found | WRITTEN)[name] for name in ORDER}


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    print(machine_note(), flush=True)
    started = time.perf_counter()
    embedder = resolve_embedder(None)
    first_sentence = {kind: text.split(OFFERS_SENTENCE)[0]
                      for kind, text in BUSINESS_DESCRIPTIONS.items()}
    rows = []
    for name, (kind, offers) in catalogues().items():
        inferred, scores = infer_business(offers, embedder)
        best, second = list(scores.values())[:2]
        before, _ = infer_business(offers, embedder, first_sentence)
        rows.append({"catalogue": name, "offers": len(offers), "kind": kind,
                     "inferred": inferred, "margin": round(best - second, 3),
                     "kind's sentence alone": before})
    table = pd.DataFrame(rows)
    print(markdown(table))
    for column in ("inferred", "kind's sentence alone"):
        right = (table[column] == table["kind"]).to_numpy()
        print(f"{column}: {right.sum()} of {len(table)} right, {right[READ:].sum()} of "
              f"{len(table) - READ} among the catalogues not read while writing the descriptions")
    print(f"\ntotal {time.perf_counter() - started:.0f} s; {load_note()}")


if __name__ == "__main__":
    main()
