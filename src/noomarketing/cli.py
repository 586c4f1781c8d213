"""Command line: parses arguments and calls the API, nothing more.

    noomarketing segment INPUT --text COL [--customer COL --time COL --rating COL] --out DIR
    noomarketing run INPUT --text COL [...] --offers OFFERS --out DIR [--budget X --control S]
    noomarketing warmup
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path


def _add_input_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", help="feedback file: .csv, .tsv, .jsonl, .json or .parquet")
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
        "--strategy", choices=["auto", "clusters", "per_customer"], default="auto"
    )
    parser.add_argument("--min-cluster-size", type=int, default=None)
    parser.add_argument(
        "--outliers", choices=["nearest", "keep"], default="nearest",
        help="noise points: put into the nearest similar segment, or keep unassigned",
    )
    parser.add_argument("--cache-dir", default=None, help="embedding cache folder")
    parser.add_argument("--no-cache", action="store_true", help="do not cache embeddings")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="noomarketing", description="Customer feedback → segments, ideas and offers."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    seg = commands.add_parser("segment", help="stage 1: segments and their ideas")
    _add_input_arguments(seg)
    run = commands.add_parser("run", help="all five stages: segments → ideas → briefs → "
                              "offer matches and gaps → proposals")
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
    run.add_argument("--brief-language", default="en", choices=["en", "pl", "ru"],
                     help="language of the briefs (default en); messages go out in the "
                     "language each customer wrote in")
    run.add_argument("--templates", default=None, help="folder of your own Jinja2 templates")
    run.add_argument("--activity", default=None,
                     help="customer activity table (customer_id, date[, value]): adds "
                     "retention metrics per segment")
    run.add_argument("--period", default="90D",
                     help="retention period, the last part of the activity (default 90D)")
    warm = commands.add_parser(
        "warmup", help="build the int8 ONNX model and compile UMAP's code once for this "
        "Python environment, so the first real run is fast (make install runs it)")
    warm.add_argument("--folder", default=None,
                      help="where to put them (default: inside the Python environment)")
    return parser


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


def _columns_from_args(args: argparse.Namespace) -> dict:
    return {
        "text": args.text,
        "customer": args.customer,
        "time": args.time,
        "rating": args.rating,
        "id": args.id,
        "encoding": args.encoding,
    }


def cmd_segment(args: argparse.Namespace) -> int:
    from noomarketing.atomic import check_out
    from noomarketing.pipeline import segment

    check_out(args.out)  # before the work, not after it
    result = segment(args.input, _model_from_args(args), columns=_columns_from_args(args),
                     mask_pii=args.mask_pii)
    written = result.write(args.out)
    if result.feedback.report is not None:
        print(result.feedback.report.summary())
    print(result.summary())
    print(_wrote(args.out, written))
    return 0


def _wrote(out: str, written: list[Path]) -> str:
    """The line naming every file the writer wrote, relative to the output folder."""
    names = [str(path.relative_to(out)) + ("/" if path.is_dir() else "") for path in written]
    return f"wrote {len(written)} file(s) to {out}: {', '.join(names)}"


def cmd_run(args: argparse.Namespace) -> int:
    from noomarketing.atomic import check_out
    from noomarketing.pipeline import run

    check_out(args.out)  # before the work, not after it
    result = run(
        args.input,
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
        business=args.business,
        brief_language=args.brief_language,
        activity=args.activity,
        period=args.period,
        random_state=args.seed,
        mask_pii=args.mask_pii,
    )
    written = result.write(args.out)
    if result.segmentation.feedback.report is not None:
        print(result.segmentation.feedback.report.summary())
    print(result.summary())
    print(_wrote(args.out, written))
    return 0


def cmd_warmup(args: argparse.Namespace) -> int:
    from noomarketing.warmup import warmup

    print(warmup(args.folder).summary())
    return 0


COMMANDS = {"segment": cmd_segment, "run": cmd_run, "warmup": cmd_warmup}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)  # a usage error exits 2 (argparse), fast
    from noomarketing.schema import NoomarketingError

    try:
        return COMMANDS[args.command](args)
    except NoomarketingError as exc:
        print(f"noomarketing: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a file that vanished or became unreadable during the run
        print(f"noomarketing: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
