"""``python -m evaluation mdes``: the smallest effect a planned comparison could detect.

Two-level cluster design (pupils in schools, teachers in Work Groups), as PowerUp! computes it.
Exit codes: 0 done; 2 bad usage (an input out of range).
"""

from __future__ import annotations

import argparse
import json
import math
import textwrap

__all__ = ["register"]


def _number(low: float, high: float, *, name: str, open_high: bool = False, whole: bool = False):
    def parse(text: str) -> float:
        try:
            value = int(text) if whole else float(text)
        except ValueError:
            kind = "a whole number" if whole else "a number"
            raise argparse.ArgumentTypeError(f"{name} must be {kind}, not {text!r}") from None
        too_high = value >= high if open_high else value > high
        if not math.isfinite(value) or value < low or too_high:
            bound = f" and below {high:g}" if open_high else f" and at most {high:g}"
            bound = "" if math.isinf(high) else bound
            raise argparse.ArgumentTypeError(f"{name} must be at least {low:g}{bound}")
        return value

    return parse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``mdes`` sub-command to the command line.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> register(parser.add_subparsers())
    >>> args = parser.parse_args(["mdes", "--clusters", "40", "--per-cluster", "25",
    ...                           "--icc", "0.15", "--r2-individual", "0.5"])
    >>> args.clusters, args.share
    (40, 0.5)
    """
    parser = subparsers.add_parser(
        "mdes",
        help="the smallest effect a comparison of schools or Work Groups could detect (MDES)",
        description=(
            "Minimum detectable effect size of a two-level cluster design (PowerUp!, Bloom "
            "2006): M * sqrt(ICC (1 - R2_2) / (P (1 - P) J) + (1 - ICC)(1 - R2_1) / (P (1 - P) J "
            "n)), M = t(1 - alpha/2, J - 2) + t(power, J - 2). Exit code 0: done; 2: bad usage."
        ),
    )
    parser.add_argument(
        "--clusters",
        required=True,
        type=_number(3, math.inf, name="--clusters", whole=True),
        metavar="J",
        help="schools or Work Groups in both groups together (at least 3)",
    )
    parser.add_argument(
        "--per-cluster",
        dest="per_cluster",
        required=True,
        type=_number(1, math.inf, name="--per-cluster"),
        metavar="N",
        help="pupils or teachers analysed per school or Work Group (average)",
    )
    parser.add_argument(
        "--icc", required=True, type=_number(0, 1, name="--icc"), metavar="R",
        help="intra-cluster correlation of the outcome (e.g. 0.15)",
    )  # fmt: skip
    parser.add_argument(
        "--r2-individual",
        dest="r2_individual",
        type=_number(0, 1, name="--r2-individual", open_high=True),
        default=0.0,
        metavar="R1",
        help="share of pupil-level variance the pre-test explains (default 0)",
    )
    parser.add_argument(
        "--r2-cluster",
        dest="r2_cluster",
        type=_number(0, 1, name="--r2-cluster", open_high=True),
        default=0.0,
        metavar="R2",
        help="share of school-level variance the pre-test explains (default 0)",
    )
    parser.add_argument(
        "--share",
        type=_number(0.01, 0.99, name="--share"),
        default=0.5,
        metavar="P",
        help="share of schools or Work Groups in the intervention group (default 0.5)",
    )
    parser.add_argument("--alpha", type=_number(0.001, 0.5, name="--alpha"), default=0.05)
    parser.add_argument("--power", type=_number(0.5, 0.999, name="--power"), default=0.80)
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the MDES; returns 0.

    Examples
    --------
    >>> args = argparse.Namespace(clusters=40, per_cluster=25, icc=0.15, r2_individual=0.5,
    ...     r2_cluster=0.5, share=0.5, alpha=0.05, power=0.8, json=False)
    >>> run(args)
    With 40 schools or Work Groups of 25 people (half in the intervention group), ICC 0.15 and a
    pre-test explaining 50% of the variance within and 50% between them, the smallest effect you
    could reliably detect is 0.28 standard deviations (80% power, 5% two-sided significance).
    0
    """
    from evaluation.stats.mdes import design_mdes  # here, not at the top: --help skips SciPy

    result = design_mdes(
        args.clusters,
        args.per_cluster,
        args.icc,
        args.r2_individual,
        args.r2_cluster,
        args.share,
        alpha=args.alpha,
        power=args.power,
    )
    if args.json:
        fields = ("mdes", "clusters", "per_cluster", "icc", "r2_individual", "r2_cluster")
        fields += ("share", "alpha", "power", "df", "multiplier")
        document = {name: getattr(result, name) for name in fields}
        document["clusters"] = int(args.clusters)
        print(json.dumps(document, allow_nan=False))
        return 0
    share = "half" if args.share == 0.5 else f"{args.share:.0%}"
    sentence = (
        f"With {int(args.clusters)} schools or Work Groups of {args.per_cluster:g} people "
        f"({share} in the intervention group), ICC {args.icc:g} and a pre-test explaining "
        f"{args.r2_individual:.0%} of the variance within and {args.r2_cluster:.0%} between "
        f"them, the smallest effect you could reliably detect is {result.mdes:.2f} standard "
        f"deviations ({args.power:.0%} power, {args.alpha:.0%} two-sided significance)."
    )
    print(textwrap.fill(sentence, width=95))
    return 0
