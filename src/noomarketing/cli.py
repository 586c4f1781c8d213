"""Command line: parses arguments and calls the API, nothing more.

    noomarketing segment INPUT --text COL [--customer COL --time COL --rating COL] --out DIR
    noomarketing run INPUT --text COL [...] --offers OFFERS --out DIR [--budget X --control S]
    noomarketing update MODEL_DIR INPUT --text COL [...] --out DIR
    noomarketing report DIR
    noomarketing warmup

Exit codes: 0 done, 1 bad data or a bad option value (one line on stderr), 2 usage error.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE = 0, 1, 2

_EXAMPLE = "src/noomarketing/data/example_feedback.csv"
SEGMENT_EPILOG = f"""example:
  noomarketing segment {_EXAMPLE} --text text --customer customer_id \\
      --time created_at --rating rating --out out/
  cat feedback.csv | noomarketing segment - --text comment --out out/ --format json
"""
RUN_EPILOG = f"""example (the bundled example shop, as `make demo` runs it):
  noomarketing run {_EXAMPLE} --text text --customer customer_id \\
      --time created_at --rating rating --id feedback_id \\
      --offers src/noomarketing/data/example_offers.csv \\
      --activity src/noomarketing/data/example_activity.csv \\
      --budget 150 --control 0.1 --out demo-out --report
"""
UPDATE_EPILOG = """example (January's segments, then February's feedback):
  noomarketing segment january.csv --text text --customer customer_id --out jan/
  noomarketing update jan/model february.csv --text text --customer customer_id \\
      --batch 2026-02 --out feb/
  noomarketing run february.csv --text text --offers offers.csv --previous jan-run/ \\
      --out feb-run/          # the whole method, starting from January's run
"""
REPORT_EPILOG = """example:
  noomarketing report demo-out          # writes demo-out/report.html
  noomarketing report demo-out --out ~/client/report.html
"""


def _add_input_arguments(parser: argparse.ArgumentParser) -> None:
    _add_data_arguments(parser)
    _add_model_arguments(parser)
    _add_output_arguments(parser)


def _add_data_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "input", help="feedback file: .csv, .tsv, .jsonl, .json or .parquet; - reads CSV (or "
        "JSON lines) from standard input"
    )
    parser.add_argument("--text", required=True, help="column with the feedback text")
    parser.add_argument("--customer", help="column with the customer id")
    parser.add_argument("--time", help="column with the date/time")
    parser.add_argument("--rating", help="column with a numeric rating")
    parser.add_argument("--id", help="column with a unique feedback id")
    parser.add_argument("--out", required=True,
                        help="output folder: new, empty, or one noomarketing wrote before (its "
                        "files are replaced all at once; files of yours in it are kept)")
    parser.add_argument("--mask-pii", action="store_true",
                        help="mask e-mails, phone numbers, card numbers and IBANs in the feedback "
                        "as it is loaded, so no output holds them")
    parser.add_argument("--encoding", default="utf-8",
                        help="text encoding of a CSV/JSON input (default utf-8), e.g. cp1250")
    parser.add_argument(
        "--sentiment-by-sentence", action="store_true",
        help="read sentiment sentence by sentence (better on reviews that praise one thing and "
        "fault another; embeds the sentences of texts of more than one as well)",
    )


def _add_model_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--embedding",
        default=None,
        help="embedding model: 'default' (the bundled MiniLM as int8 ONNX, or torch where "
        "ONNX cannot run), 'torch' (the same model through sentence-transformers, ~2x slower), "
        "'multilingual', another registered name, a sentence-transformers folder or name "
        "(default: chosen by --language)",
    )
    parser.add_argument(
        "--language", choices=["auto", "off"], default="auto",
        help="auto: detect each text's language and use the multilingual model unless at least "
        "90%% of the texts are English; off: no detection (default: auto)",
    )
    parser.add_argument(
        "--fit-sample-size", type=int, default=50_000,
        help="above this many rows, learn segments from a seeded sample of this size and "
        "assign the other rows to the nearest segment (default 50000; 0 = always all rows)",
    )
    parser.add_argument(
        "--strategy", choices=["auto", "clusters", "per_customer"], default="auto",
        help="auto: cluster when there are at least 50 distinct texts, else one segment per "
        "customer; clusters/per_customer force either (default: auto)",
    )
    parser.add_argument("--min-cluster-size", type=int, default=None,
                        help="smallest segment HDBSCAN keeps (default: grows with the data)")
    parser.add_argument(
        "--outliers", choices=["vote", "nearest", "keep"], default="vote",
        help="noise points: put into the segment of their neighbours in the layout (vote), "
        "into the most similar segment when similar enough (nearest), or keep unassigned",
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="do not cache embeddings or UMAP layouts"
    )


def _add_output_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cache-dir", default=None, help="cache folder (embeddings, UMAP layouts)")
    parser.add_argument("--no-progress", action="store_true",
                        help="no progress bars (they are shown only on a terminal anyway)")
    parser.add_argument("--report", action="store_true",
                        help="also write the HTML report, DIR/report.html")
    parser.add_argument("--format", choices=["text", "json"], default="text",
                        help="summary on stdout as text for a person or JSON for a program "
                        "(default: text)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="noomarketing", description="Customer feedback → segments, ideas and offers.",
        epilog="exit codes: 0 done, 1 bad data or option value, 2 usage error. "
        "`noomarketing COMMAND --help` shows each command's options and an example.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    formatter = argparse.RawDescriptionHelpFormatter
    seg = commands.add_parser(
        "segment", help="stage 1: segments and their ideas", epilog=SEGMENT_EPILOG,
        formatter_class=formatter, description="Segment the feedback and find each "
        "segment's idea.\nWrites assignments.csv, segments.json, map.csv and model/ to --out.",
    )
    _add_input_arguments(seg)
    run = commands.add_parser(
        "run", help="all five stages: segments → ideas → briefs → offer matches and gaps → "
        "proposals", epilog=RUN_EPILOG, formatter_class=formatter,
        description="The whole method: segments, generated ideas, briefs, offer matches and "
        "gaps,\nproposals within a budget, and retention metrics with --activity.",
    )
    _add_input_arguments(run)
    run.add_argument("--offers", required=True,
                     help="offer catalogue: .csv/.jsonl with id, name, description "
                     "[, cost, price, tags]")
    run.add_argument("--budget", type=float, default=None,
                     help="total cost of all proposals (default: no limit)")
    run.add_argument("--control", type=float, default=0.0,
                     help="share of customers held out as a control group (default 0)")
    run.add_argument("--per-customer", type=int, default=3, help="proposals per customer")
    run.add_argument("--ideas", type=int, default=5, help="generated ideas per segment")
    run.add_argument("--catalogue", action="append", default=None,
                     help="your own tactics file (JSON/YAML) instead of the bundled one; repeat "
                     "to combine")
    run.add_argument("--reactions", default=None,
                     help="reaction log: a SQLite file or SQLAlchemy URL of past reactions")
    run.add_argument("--brand", default=None,
                     help="sender name in messages (default: messages name no brand)")
    run.add_argument("--business", default=None,
                     help="kind of business: retail, subscription, finance, services (or a "
                     "word your catalogue uses); only tactics that suit it are proposed "
                     "(default: inferred from the offer catalogue; any: every tactic)")
    run.add_argument("--rating-range", type=float, nargs=2, default=None,
                     metavar=("LOW", "HIGH"),
                     help="the scale of the --rating column: a segment's mood, which tactics "
                     "for happy or unhappy customers follow, is its mean rating on it "
                     "(default: 1 5 when the ratings fit, else 0 to 5, 10 or 100)")
    run.add_argument("--brief-language", default="en", choices=["en", "pl", "ru"],
                     help="language of the briefs (default en); messages go out in the "
                     "language each customer wrote in")
    run.add_argument("--templates", default=None, help="folder of your own Jinja2 templates")
    run.add_argument("--activity", default=None,
                     help="customer activity table (customer_id, date[, value]): adds "
                     "retention metrics per segment")
    run.add_argument("--period", default="90D",
                     help="retention period, the last part of the activity (default 90D)")
    run.add_argument("--previous", default=None, metavar="DIR",
                     help="the --out folder of an earlier run: update its model with this "
                     "feedback instead of a new fit (the model options above are then "
                     "ignored), use its reaction log unless --reactions names one, and say "
                     "what changed since")
    upd = commands.add_parser(
        "update", help="stage 1 for the next batch: update a saved model with new feedback",
        epilog=UPDATE_EPILOG, formatter_class=formatter,
        description="Take new feedback into a saved model: what fits joins its segment, new "
        "dense groups\nbecome new segments with new ids. Writes assignments.csv, "
        "segments.json (each segment\nwith its status and first batch), map.csv and the "
        "updated model/ to --out.",
    )
    upd.add_argument("model", metavar="MODEL_DIR",
                     help="a saved model: the model/ folder of an earlier segment, run or update")
    _add_data_arguments(upd)
    upd.add_argument("--batch", default=None,
                     help="name of this batch, e.g. 2026-02 (default: its number)")
    _add_output_arguments(upd)
    report = commands.add_parser(
        "report", help="the HTML report of an output folder", epilog=REPORT_EPILOG,
        formatter_class=formatter, description="Write one self-contained HTML file (no "
        "network needed)\nfrom the --out folder of `run` or `segment`.",
    )
    report.add_argument("folder", metavar="DIR", help="output folder of `run` or `segment`")
    report.add_argument("--out", default=None, help="the HTML file (default: DIR/report.html)")
    report.add_argument("--title", default="What your customers want", help="the page title")
    warm = commands.add_parser(
        "warmup", help="build the int8 ONNX model and compile UMAP's code once for this "
        "Python environment, so the first real run is fast (make install runs it)")
    warm.add_argument("--folder", default=None,
                      help="where to put them (default: inside the Python environment)")
    return parser


def _version() -> str:
    try:
        return metadata.version("noomarketing")
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        return "unknown"


def _input(args: argparse.Namespace) -> Any:
    """The feedback file, or a table read from standard input for ``-``."""
    if args.input != "-":
        return args.input
    import pandas as pd

    from noomarketing.schema import NoomarketingError

    text = sys.stdin.read()
    if not text.strip():
        raise NoomarketingError("standard input is empty: pipe a CSV or JSON lines file in")
    if text.lstrip().startswith("{"):
        return pd.read_json(io.StringIO(text), lines=True)
    return pd.read_csv(io.StringIO(text))


def _model_from_args(args: argparse.Namespace):
    from noomarketing.segmentation import SegmentModel

    return SegmentModel(
        embedding=args.embedding,
        strategy=args.strategy,
        min_cluster_size=args.min_cluster_size,
        outliers=args.outliers,
        language=args.language,
        cache_dir=args.cache_dir,
        use_cache=not args.no_cache,
        progress=False if args.no_progress else None,
        random_state=args.seed,
        fit_sample_size=args.fit_sample_size or None,
    )


def _sentiment_scorer(args: argparse.Namespace):
    from noomarketing.sentiment import SentimentScorer

    return SentimentScorer(by_sentence=True) if args.sentiment_by_sentence else None


def _columns_from_args(args: argparse.Namespace) -> dict:
    return {
        "text": args.text,
        "customer": args.customer,
        "time": args.time,
        "rating": args.rating,
        "id": args.id,
        "encoding": args.encoding,
    }


def _emit(args: argparse.Namespace, payload: dict[str, Any], lines: list[str]) -> None:
    if args.format == "json":
        print(json.dumps(payload, indent=2, ensure_ascii=False, default=str))
    else:
        print("\n".join(line for line in lines if line))


def _report(args: argparse.Namespace, result: Any) -> Path | None:
    if not args.report:
        return None
    from noomarketing.report import REPORT_NAME, write_report

    return write_report(result, Path(args.out) / REPORT_NAME)


def cmd_segment(args: argparse.Namespace) -> int:
    from noomarketing.atomic import check_out
    from noomarketing.pipeline import segment

    check_out(args.out)  # before the work, not after it
    result = segment(_input(args), _model_from_args(args), columns=_columns_from_args(args),
                     mask_pii=args.mask_pii, sentiment_scorer=_sentiment_scorer(args))
    return _segmentation_written(args, result)


def _segmentation_written(args: argparse.Namespace, result: Any) -> int:
    """Write a segmentation (``segment`` or ``update``) to ``--out`` and say what was written."""
    written = result.write(args.out)
    report = _report(args, result)
    if report is not None:
        written.append(report)
    load = result.feedback.report
    payload = {
        "segmentation": result.info(),
        "segments": [idea.model_dump(mode="json", exclude={"customer_ids"})
                     for idea in result.ideas],
        "out": str(args.out),
        "files": _names(args.out, written),
        "report": None if report is None else str(report),
    }
    _emit(args, payload, [
        load.summary() if load is not None else "",
        result.summary(),
        _wrote(args.out, written),
    ])
    return EXIT_OK


def _names(out: str, written: list[Path]) -> list[str]:
    """The files the writer wrote, relative to the output folder (folders end in ``/``)."""
    return [str(path.relative_to(out)) + ("/" if path.is_dir() else "") for path in written]


def _wrote(out: str, written: list[Path]) -> str:
    """The line naming every file the writer wrote, relative to the output folder."""
    return f"wrote {len(written)} file(s) to {out}: {', '.join(_names(out, written))}"


def cmd_run(args: argparse.Namespace) -> int:
    from noomarketing.atomic import check_out
    from noomarketing.pipeline import run

    check_out(args.out)  # before the work, not after it
    result = run(
        _input(args),
        args.offers,
        columns=_columns_from_args(args),
        model=_model_from_args(args),
        n_ideas=args.ideas,
        catalogue=args.catalogue,
        reactions=args.reactions,
        budget=args.budget,
        per_customer=args.per_customer,
        control=args.control,
        brand=args.brand,
        templates_dir=args.templates,
        activity=args.activity,
        period=args.period,
        random_state=args.seed,
        business=args.business,
        brief_language=args.brief_language,
        mask_pii=args.mask_pii,
        progress=False if args.no_progress else None,
        previous=args.previous,
        sentiment_scorer=_sentiment_scorer(args),
        rating_range="auto" if args.rating_range is None else tuple(args.rating_range),
    )
    written = result.write(args.out)
    report = _report(args, result)
    if report is not None:
        written.append(report)
    load = result.segmentation.feedback.report
    _emit(args, result.to_dict() | {"out": args.out, "files": _names(args.out, written)}, [
        load.summary() if load is not None else "",
        result.summary(),
        _wrote(args.out, written),
    ])
    return EXIT_OK


def cmd_update(args: argparse.Namespace) -> int:
    from noomarketing.atomic import check_out
    from noomarketing.loop import update

    check_out(args.out)  # before the work, not after it
    result = update(args.model, _input(args), columns=_columns_from_args(args),
                    batch=args.batch, mask_pii=args.mask_pii, cache_dir=args.cache_dir,
                    progress=False if args.no_progress else None,
                    sentiment_scorer=_sentiment_scorer(args))
    return _segmentation_written(args, result)


def cmd_report(args: argparse.Namespace) -> int:
    from noomarketing.report import write_report

    path = write_report(args.folder, args.out, title=args.title)
    print(f"wrote {path}")
    return EXIT_OK


def cmd_warmup(args: argparse.Namespace) -> int:
    from noomarketing.warmup import warmup

    print(warmup(args.folder).summary())
    return EXIT_OK


COMMANDS = {"segment": cmd_segment, "run": cmd_run, "update": cmd_update, "report": cmd_report,
            "warmup": cmd_warmup}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)  # a usage error exits 2 (argparse), fast
    from noomarketing.schema import NoomarketingError

    try:
        return COMMANDS[args.command](args)
    except NoomarketingError as exc:
        print(f"noomarketing: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:  # a file that vanished or became unreadable during the run
        print(f"noomarketing: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
