import csv

import pytest
from markupsafe import escape

import noomarketing as nm
from noomarketing.embedding import CachedEmbedder
from noomarketing.generation import generate_ideas
from noomarketing.presentation import Brief, md_escape, present, sms_length, write_briefs
from noomarketing.schema import Idea, Keyword, NoomarketingError, Quote

SCRIPT = "<script>alert('x')</script>"


def make_idea(segment_id, label, terms, quotes, sentiment) -> Idea:
    return Idea(
        segment_id=segment_id, label=label,
        keywords=[Keyword(term=t, score=1.0) for t in terms],
        quotes=[Quote(row=10 * segment_id + i, customer_id=f"c{i}", text=q, similarity=0.8)
                for i, q in enumerate(quotes)],
        size=12, share=0.5, sentiment=sentiment, mean_rating=2.0,
    )


IDEAS = [
    make_idea(4, "Refund / support", ["refund", "support"],
              [f"Support never answered about my refund {SCRIPT}", "Still no refund **at all**"],
              -0.7),
    make_idea(9, "Organic / cotton", ["organic cotton", "sustainable"],
              ["I love that the cotton is organic."], 0.6),
]


@pytest.fixture(scope="module")
def model(embedder, cache_dir):
    """The real model behind the session's embedding cache: repeated texts embed once."""
    return CachedEmbedder(embedder, cache_dir=cache_dir)


@pytest.fixture(scope="module")
def generated(model):
    return generate_ideas(IDEAS, n=4, embedder=model)


@pytest.fixture(scope="module")
def briefs(generated):
    return present(IDEAS, generated, brand="Threadline")


def test_one_brief_per_segment_with_the_evidence(briefs, generated):
    assert [b.segment_id for b in briefs] == [4, 9]
    assert all(isinstance(b, Brief) for b in briefs)
    refund = briefs[0]
    assert refund.markdown.startswith("# Segment 4: Refund / support")
    assert "mood -0.50 (unhappy)" in refund.markdown  # the mean rating, 2 of 5
    for g in [g for g in generated if g.segment_id == 4]:
        assert f"### {g.rank}. {g.title}" in refund.markdown
        assert str(escape(g.title)) in refund.html
    assert "row 40" in refund.markdown and "customer c0" in refund.html
    assert "organic" in briefs[1].markdown.lower()


def test_customer_text_is_escaped_in_html_and_markdown(briefs):
    html, markdown = briefs[0].html, briefs[0].markdown
    assert SCRIPT not in html and "&lt;script&gt;" in html
    assert SCRIPT not in markdown and "\\<script\\>" in markdown
    assert "\\*\\*at all\\*\\*" in markdown
    assert md_escape("a|b\nc") == "a\\|b c"


def test_messages_per_channel_and_variant_for_the_top_ideas(briefs):
    messages = briefs[0].messages
    assert len(messages) == 3 * 2 * 2  # top 3 ideas, email + sms, 2 variants
    assert {(m.rank, m.channel, m.variant) for m in messages} == {
        (r, c, v) for r in (1, 2, 3) for c in ("email", "sms") for v in (0, 1)}
    for m in messages:
        assert m.segment_id == 4 and "Threadline" in m.body
        if m.channel == "email":
            assert m.subject and m.limit is None
        else:
            assert m.subject is None
            assert sms_length(m.body) == (m.length, m.limit) and m.length <= m.limit <= 160
            assert m.body.endswith("Reply STOP to opt out.")
    variants = {m.variant: m.body for m in messages if m.channel == "email" and m.rank == 1}
    assert variants[0] != variants[1]


def test_sms_is_shortened_to_one_message_even_in_unicode(generated):
    brand = "Sklep Łódź"  # one non-GSM letter: the limit drops to 70
    briefs = present(IDEAS, generated, brand=brand, channels=["sms"], top=None)
    sms = [m for b in briefs for m in b.messages]
    assert len(sms) == 2 * 4 * 2
    assert all(m.limit == 70 and m.length <= 70 for m in sms)
    assert all(m.body.startswith(brand) for m in sms)
    # a pitch too long gives way to the whole headline, as a sentence, not a cut pitch
    headlines = {g.headline for g in generated}
    assert any(any(m.body == f"{brand}: {h}. Reply STOP to opt out." for h in headlines)
               for m in sms)
    long_brand = "Sklep Łódź z bardzo długą nazwą firmy"
    cut = present(IDEAS, generated, brand=long_brand, channels=["sms"], top=None)
    assert any("..." in m.body for b in cut for m in b.messages)  # the last resort
    assert all(m.length <= 70 for b in cut for m in b.messages)


def test_without_a_brand_messages_name_none(generated):
    messages = present(IDEAS, generated, variants=2, top=1)[0].messages
    assert all("None" not in m.body and "None" not in (m.subject or "") for m in messages)
    email = next(m for m in messages if m.channel == "email" and m.variant == 1)
    assert email.body.endswith("Warm regards,\nyour customer care team")
    sms = next(m for m in messages if m.channel == "sms")
    assert not sms.body.startswith(":") and sms.body.endswith("Reply STOP to opt out.")


def test_an_sms_template_too_long_without_the_pitch_is_an_error(tmp_path, generated):
    (tmp_path / "sms.j2").write_text("{% block body %}" + "x" * 150 + " {{ pitch }} {{ brand }}"
                                     "{% endblock %}")
    with pytest.raises(NoomarketingError, match=r"characters without any pitch; one SMS holds 160"):
        present(IDEAS, generated, templates_dir=tmp_path, channels=["sms"], brand="our shop")


def test_users_override_templates_and_add_channels(tmp_path, generated):
    (tmp_path / "email.j2").write_text(
        "{% block subject %}Hi from {{ brand }}{% endblock %}"
        "{% block body %}{{ idea.title }} / {{ segment.label }} / v{{ variant }}{% endblock %}")
    (tmp_path / "push.j2").write_text("{% block body %}{{ idea.headline }}{% endblock %}")
    briefs = present(IDEAS, generated, templates_dir=tmp_path, channels=["email", "push"],
                     variants=1, top=1, brand="our shop")
    email, push = briefs[0].messages
    top = next(g for g in generated if g.segment_id == 4 and g.rank == 1)
    assert email.subject == "Hi from our shop"
    assert email.body == f"{top.title} / Refund / support / v0"
    assert push.channel == "push" and push.body == top.headline and push.limit is None
    assert briefs[0].markdown.startswith("# Segment 4")  # bundled brief still used


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"channels": ["fax"]}, "no template 'fax.j2'"),
        ({"channels": ["sms", "sms"]}, "distinct"),
        ({"variants": 0}, "at least 1"),
        ({"templates_dir": "/no/such/folder"}, "not a folder"),
    ],
)
def test_bad_arguments(generated, kwargs, message):
    with pytest.raises(NoomarketingError, match=message):
        present(IDEAS, generated, **kwargs)


def test_template_problems_are_reported(tmp_path, generated):
    (tmp_path / "email.j2").write_text("{% block subject %}{{ nope }}{% endblock %}"
                                       "{% block body %}x{% endblock %}")
    with pytest.raises(NoomarketingError, match="'nope' is undefined"):
        present(IDEAS, generated, templates_dir=tmp_path)
    (tmp_path / "email.j2").write_text("{% block body %}{% if %}{% endblock %}")
    with pytest.raises(NoomarketingError, match=r"email\.j2' line 1"):
        present(IDEAS, generated, templates_dir=tmp_path)


def test_generated_ideas_must_belong_to_a_given_segment(generated):
    with pytest.raises(NoomarketingError, match="segment 9, which is not among"):
        present(IDEAS[:1], generated)


def test_a_segment_without_generated_ideas_still_gets_a_brief():
    brief = present(IDEAS[:1], [])[0]
    assert "No ideas were generated" in brief.markdown and brief.messages == []


def test_write_briefs(tmp_path, briefs):
    paths = write_briefs(briefs, tmp_path / "briefs")
    assert [p.name for p in paths] == ["segment-4.md", "segment-4.html", "segment-9.md",
                                       "segment-9.html", "messages.csv"]
    assert paths[1].read_text(encoding="utf-8") == briefs[0].html
    with paths[-1].open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == sum(len(b.messages) for b in briefs)
    assert rows[0]["tactic_id"] == briefs[0].messages[0].tactic_id


def test_sms_length_counts_like_a_phone():
    assert sms_length("a" * 160) == (160, 160)
    assert sms_length("price [50]€") == (14, 160)  # [ ] € take two each
    assert sms_length("Привет") == (6, 70)
    assert sms_length("ok 👍") == (5, 70)  # an emoji is two UTF-16 units


@pytest.mark.slow
def test_segments_to_briefs_end_to_end(themed, embedder, cache_dir, tmp_path):
    texts, _labels = themed
    segments = nm.SegmentModel(embedding=embedder, cache_dir=cache_dir, random_state=0).fit(texts)
    ideas = nm.highlight_ideas(segments, texts)
    generated = generate_ideas(ideas, n=5, embedder=segments.embedder_)
    briefs = present(ideas, generated)
    written = write_briefs(briefs, tmp_path)
    assert len(briefs) == len(ideas) >= 3
    assert len(written) == 2 * len(ideas) + 1
    kinds = {g.kind for g in generated if g.rank <= 3}
    assert {"service_recovery", "discount"} <= kinds


def test_a_headline_too_long_for_an_sms_keeps_whole_clauses():
    from noomarketing.presentation.briefs import _clauses

    assert _clauses("Late parcel? This one is on us.") == ["Late parcel?"]
    assert _clauses("Наша экологичная коллекция — сначала для Вас.") == [
        "Наша экологичная коллекция."]
    assert _clauses("Nasza zrównoważona kolekcja, najpierw dla Ciebie.") == [
        "Nasza zrównoważona kolekcja."]
    assert _clauses("Welcome to VIP.") == []
