import json
import subprocess
import sys

import pandas as pd
import pytest

import noomarketing as nm
from noomarketing.generation import GeneratedIdea
from noomarketing.matching import MATCH_COLUMNS
from noomarketing.over_time import CHANGE_COLUMNS
from noomarketing.proposing import PROPOSAL_COLUMNS

SMALL = [
    "My parcel arrived two weeks late",
    "The courier lost my package again",
    "Delivery is so slow, shipping takes forever",
    "Prices are too high, I want a loyalty discount",
    "Too expensive, a member discount would keep me here",
    "The size chart is wrong, M fits like XS",
    "Jeans run small, I had to return them for a bigger size",
    "I want a recycling programme for old clothes",
]


@pytest.fixture(scope="module")
def small_run(embedder, cache_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    model = nm.SegmentModel(embedding=embedder, cache_dir=cache_dir, random_state=0)
    result = nm.run(pd.DataFrame({"comment": SMALL}), nm.example_offers_path(),
                    columns={"text": "comment"}, model=model, n_ideas=3, budget=20, out=out)
    return result, out


def test_one_call_runs_every_stage_on_typed_data(small_run):
    result, _ = small_run
    # few texts: each customer is their own segment; without a customer column, each row
    assert len(result.segmentation.ideas) == len(SMALL)
    customers = {p.customer_id for p in result.proposals.proposals}
    assert customers <= {f"row-{i}" for i in range(len(SMALL))}
    assert all(isinstance(g, GeneratedIdea) for g in result.generated)
    assert {b.segment_id for b in result.briefs} == set(range(len(SMALL)))
    assert result.proposals.spent <= 20
    # the recycling wish: nothing in the example catalogue serves it
    assert 7 in {gap.segment_id for gap in result.matches.gaps}
    late = result.proposals.for_customer("row-0")
    assert late and late[0].offer_id in {"express-shipping", "delivery-guarantee",
                                         "click-collect", "sms-tracking"}
    assert late[0].quote_text == SMALL[0]
    assert "stage 5" in result.summary() and "gap" in result.summary()


def test_the_output_folder(small_run):
    _, out = small_run
    names = {p.name for p in out.iterdir()}
    assert {"assignments.csv", "segments.json", "ideas.json", "briefs", "offer_matches.csv",
            "gaps.json", "proposals.csv", "proposals.json", "control.csv", "model"} <= names
    assert "idea_changes.csv" not in names  # these texts have no times: no months to compare
    proposals = pd.read_csv(out / "proposals.csv")
    assert proposals.columns.tolist() == PROPOSAL_COLUMNS
    assert proposals.columns[:5].tolist() == ["customer_id", "segment", "offer_id", "rank",
                                              "score"]
    assert proposals["cost"].sum() <= 20
    assert pd.read_csv(out / "offer_matches.csv").columns.tolist() == MATCH_COLUMNS
    ideas = json.loads((out / "ideas.json").read_text())["ideas"]
    assert {i["segment_id"] for i in ideas} == set(range(len(SMALL)))
    assert (out / "briefs" / "segment-0.md").exists()
    assert (out / "briefs" / "segment-0.html").exists()
    assert json.loads((out / "gaps.json").read_text())["gaps"]


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "noomarketing.cli", *map(str, args)],
                          capture_output=True, text=True)


def run_example(out, cache_dir, *extra, seed=0):
    return run_cli(
        "run", nm.example_feedback_path(), "--text", "text", "--customer", "customer_id",
        "--time", "created_at", "--rating", "rating", "--id", "feedback_id",
        "--offers", nm.example_offers_path(), "--out", out, "--budget", 150, "--control", 0.1,
        "--activity", nm.example_activity_path(), "--seed", seed, "--cache-dir", cache_dir,
        "--no-progress", *extra,
    )


@pytest.mark.slow
def test_run_command_on_the_bundled_example(tmp_path, cache_dir):
    out = tmp_path / "demo"
    proc = run_example(out, cache_dir)
    assert proc.returncode == 0, proc.stderr
    for stage in ("stage 1", "stage 2", "stage 3", "stage 4", "stage 5", "retention"):
        assert stage in proc.stdout
    proposals = pd.read_csv(out / "proposals.csv")
    assert 0 < proposals["cost"].sum() <= 150
    assert proposals.groupby("customer_id").size().max() <= 3
    control = pd.read_csv(out / "control.csv")
    customers = pd.read_csv(nm.example_feedback_path())["customer_id"].dropna().nunique()
    assert abs(len(control) - 0.1 * customers) <= 2
    assert not set(control["customer_id"]) & set(proposals["customer_id"])
    # every proposal traces back to the customer's own words in the input row it names
    feedback = pd.read_csv(nm.example_feedback_path())
    assignments = pd.read_csv(out / "assignments.csv").set_index("row")
    for row in proposals.itertuples():
        assert feedback.loc[row.quote_row, "text"] == row.quote_text
        assert assignments.loc[row.quote_row, "customer_id"] == row.customer_id
    # the example catalogue deliberately serves no sustainability idea
    gaps = json.loads((out / "gaps.json").read_text())["gaps"]
    assert any("sustainab" in f"{gap['label']} {gap['suggestion_description']} {gap['quote']}"
               .lower() for gap in gaps)
    retention = pd.read_csv(out / "retention.csv")
    assert pd.isna(retention["segment"][0]) and 0 <= retention["crr"][0] <= 1
    assert (out / "cohorts.csv").exists()
    # the example spans months: customers whose idea moved between two of them are listed
    changes = pd.read_csv(out / "idea_changes.csv")
    assert changes.columns.tolist()[:5] == CHANGE_COLUMNS
    assert (changes["from_segment"] != changes["to_segment"]).all()
    assert (changes["from_period"] < changes["to_period"]).all()  # "2026-03" < "2026-05"
    named = set(feedback["customer_id"].dropna().astype(str))
    assert set(changes["customer_id"].astype(str)) <= named

    # one seed makes the whole method deterministic: a second fresh process, same files
    again = run_example(tmp_path / "again", cache_dir, "--format", "json", "--report")
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)  # --format json: the summary, and only it, on stdout
    assert summary["proposals"]["spent"] == pytest.approx(proposals["cost"].sum())
    assert len(summary["segments"]) == summary["segmentation"]["n_segments"]
    assert "report.html" in summary["files"] and (tmp_path / "again" / "report.html").exists()
    for name in ("assignments.csv", "ideas.json", "offer_matches.csv", "gaps.json",
                 "proposals.csv", "control.csv"):
        assert (out / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name


def test_run_errors_are_one_line(tmp_path):
    path = tmp_path / "in.csv"
    pd.DataFrame({"text": ["late parcel"] * 3}).to_csv(path, index=False)
    proc = run_cli("run", path, "--text", "text", "--offers", tmp_path / "none.csv",
                   "--out", tmp_path / "o")
    assert proc.returncode == 1
    assert proc.stderr.strip().startswith("noomarketing: error:")
    assert "Traceback" not in proc.stderr


def test_recorded_reactions_change_the_next_run(small_run, embedder, cache_dir, tmp_path):
    first, _ = small_run
    before = {p.offer_id: p for p in first.proposals.for_customer("row-3")}
    top = first.proposals.for_customer("row-3")[0]
    path = tmp_path / "reactions.sqlite3"
    with nm.ReactionLog(path) as log:
        log.record("row-3", top.offer_id, "rejected")  # turned the first proposal down
    model = nm.SegmentModel(embedding=embedder, cache_dir=cache_dir, random_state=0)
    again = nm.run(pd.DataFrame({"comment": SMALL}), nm.example_offers_path(),
                   columns={"text": "comment"}, model=model, n_ideas=3, budget=20,
                   reactions=str(path))
    kind = set(next(o for o in again.matches.offers if o.id == top.offer_id).tags)
    tags = {o.id: set(o.tags) for o in again.matches.offers}
    after = again.proposals.for_customer("row-3")
    assert after
    for p in after:
        # 0 of 1 taken: Beta(1, 1) posterior mean 1/3 over the prior mean 1/2 for that kind
        expected = 2 / 3 if tags[p.offer_id] & kind else 1.0
        assert p.behaviour == pytest.approx(expected, abs=1e-4)
        if p.offer_id in before:
            assert p.score == pytest.approx(before[p.offer_id].score * expected, abs=1e-3)
    assert top.offer_id not in {p.offer_id for p in after} or after[0].score < top.score
    # nobody else reacted: their proposals are the same
    for customer in ("row-0", "row-5"):
        assert ([p.offer_id for p in again.proposals.for_customer(customer)]
                == [p.offer_id for p in first.proposals.for_customer(customer)])
