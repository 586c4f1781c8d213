import json
import math

import pandas as pd
import pytest

import noomarketing as nm
from noomarketing.schema import NoomarketingError


def test_every_bad_row_is_reported_with_its_row_number():
    frame = pd.DataFrame(
        {
            "comment": ["late again", "", "   ", None, math.nan, "fine", "dup"],
            "cid": ["a", "b", "c", "d", "e", None, "g"],
            "when": ["2025-01-02", "x", "2025-01-03", None, None, "yesterday?", "2025-02-01"],
            "stars": [1, 2, 3, 4, 5, "five", 3],
            "fid": ["f1", "f2", "f3", "f4", "f5", "f6", "f1"],
        }
    )
    fb = nm.load_feedback(frame, text="comment", customer="cid", time="when", rating="stars",
                          id="fid")
    assert fb.rows == [0, 5]
    reasons = {s.row: s.reason for s in fb.report.skipped}
    assert reasons == {
        1: "empty text",
        2: "empty text",
        3: "missing text (NaN/None)",
        4: "missing text (NaN/None)",
        6: "duplicate id 'f1'",
    }
    notes = {(n.row, n.note) for n in fb.report.notes}
    assert (5, "rating not a number, left empty") in notes
    assert (5, "time not parseable, left empty") in notes
    assert (5, "missing customer id, using 'row-5'") in notes
    assert fb.report.n_input_rows == 7 and fb.report.n_loaded == 2
    assert "skipped: 2 row(s) empty text (rows 1, 2)" in fb.report.summary()


def test_missing_column_is_one_clear_error():
    expected = r"column\(s\) 'comment' not found; available: text"
    with pytest.raises(NoomarketingError, match=expected):
        nm.load_feedback(pd.DataFrame({"text": ["a"]}), text="comment")


def test_all_rows_empty_is_an_error_not_an_empty_result():
    with pytest.raises(NoomarketingError, match="no usable feedback: all 2 row"):
        nm.load_feedback(["", None])


def test_one_document_and_a_list_of_strings():
    fb = nm.load_feedback(["only one"])
    assert len(fb) == 1 and fb.items[0].customer_id == "row-0"


def test_huge_text_is_cut_with_a_note_or_kept_whole_when_asked():
    big = "late parcel " * 90_000  # 1 MB in one row
    fb = nm.load_feedback(pd.DataFrame({"text": [big, "late parcel"]}))
    assert len(fb.items[0].text) == nm.loading.MAX_CHARS and fb.items[1].text == "late parcel"
    assert [n.row for n in fb.report.notes] == [0]
    assert "cut to the first" in fb.report.notes[0].note
    whole = nm.load_feedback(pd.DataFrame({"text": [big, "late parcel"]}), max_chars=None)
    assert len(whole.items[0].text) == len(big) and not whole.report.notes


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet", ".csv.gz"])
def test_reads_each_file_format(tmp_path, suffix):
    frame = pd.DataFrame({"text": ["a b c", "d e f"], "customer": [1, 2]})
    path = tmp_path / f"in{suffix}"
    if suffix == ".jsonl":
        path.write_text("\n".join(json.dumps(r) for r in frame.to_dict("records")))
    elif suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.to_csv(path, index=False)
    fb = nm.load_feedback(path, text="text", customer="customer")
    assert fb.texts == ["a b c", "d e f"] and fb.customer_ids == ["1", "2"]


def test_unknown_format_and_missing_file(tmp_path):
    (tmp_path / "in.xlsx").write_text("x")
    with pytest.raises(NoomarketingError, match="unsupported input format"):
        nm.load_feedback(tmp_path / "in.xlsx")
    with pytest.raises(NoomarketingError, match="input file not found"):
        nm.load_feedback(tmp_path / "nope.csv")


def test_a_spreadsheet_export_with_semicolons_and_decimal_commas(tmp_path):
    # spreadsheets in much of Europe write ";" between fields, as the comma marks decimals
    feedback = tmp_path / "opinie.csv"
    feedback.write_text(
        'tekst;klient;ocena\n"Paczka przyszła po dwóch tygodniach; kurier milczał.";k1;1,5\n'
        "Sukienka piękna, ale rozmiar za mały.;k2;4\nŚwietna jakość;k3;1,000\n",
        encoding="utf-8")
    loaded = nm.load_feedback(feedback, text="tekst", customer="klient", rating="ocena")
    assert loaded.texts[:2] == ["Paczka przyszła po dwóch tygodniach; kurier milczał.",
                                "Sukienka piękna, ale rozmiar za mały."]
    assert loaded.customer_ids == ["k1", "k2", "k3"]
    # "1,000" may be a thousand or one: left empty with a note, not guessed
    assert loaded.ratings == [1.5, 4.0, None]
    assert [n.row for n in loaded.report.notes if "rating" in n.note] == [2]
    offers = tmp_path / "oferty.csv"
    offers.write_text("id;name;description;cost\nship;Darmowa dostawa;Dostawa gratis;4,50\n",
                      encoding="utf-8")
    assert nm.load_offers(offers)[0].cost == 4.5


def test_html_from_a_web_form_is_read_as_text_with_a_note():
    loaded = nm.load_feedback(pd.DataFrame({"text": [
        "Lovely dress!<br><br>Will buy <b>again</b> &amp; again",
        "<p><br></p>",
        "I <3 this shop, AT&T phone support was slow",
    ]}), text="text")
    assert loaded.texts == ["Lovely dress!\n\nWill buy again & again",
                            "I <3 this shop, AT&T phone support was slow"]
    notes = {n.row: n.note for n in loaded.report.notes}
    assert "HTML markup read as text" in notes[0] and 2 not in notes
    assert [(s.row, s.reason) for s in loaded.report.skipped] == [(1, "only HTML markup, no text")]
