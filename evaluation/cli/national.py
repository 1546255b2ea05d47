"""``python -m evaluation national``: each hub's change for one NCP and the pooled national effect.

Reads survey files (canonical CSVs or form exports), pairs pre and post answers by hub, and
prints the per-hub table (small groups shown as ``[c]``) followed by the pooled row.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from evaluation import columns as c
from evaluation.cli._common import add_min_n, add_output_options, err, lazy_module
from evaluation.columns import EFFECT_LABELS

if TYPE_CHECKING:
    import pandas as pd

    from evaluation.instruments import Instrument
else:
    pd = lazy_module("pandas")  # imported on first use, so that --help does not load pandas


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``national`` sub-command to the command line.

    Examples
    --------
    >>> from evaluation.cli import main
    >>> main(["national", "no-such-file.csv", "--ncp", "MN-KS2", "--method", "OLS"])
    2
    """
    parser = subparsers.add_parser(
        "national",
        help="compare hubs fairly within one NCP: per-hub change and the pooled effect",
        description=(
            "Pair each respondent's pre and post answers, work out every hub's change for one "
            "NCP and combine the hubs with a random-effects model. Hubs with fewer than "
            "--min-n respondents are shown as [c] and left out of the pooled effect."
        ),
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="survey files (.csv or .xlsx)")
    parser.add_argument("--ncp", required=True, metavar="NAME", help="NCP name or code")
    parser.add_argument(
        "--outcome",
        metavar="ITEM_OR_CONSTRUCT",
        help="item id (conf_1) or construct (confidence); default the first construct",
    )
    parser.add_argument("--year", metavar="Y", help="only this academic year, e.g. 2024/25")
    parser.add_argument("--method", choices=("REML", "DL"), default="REML", type=str.upper)
    parser.add_argument(
        "--test",
        choices=("knha", "z"),
        default="knha",
        type=str.lower,
        help="pooled interval: Knapp–Hartung (knha, default) or normal (z)",
    )
    parser.add_argument(
        "--effect",
        choices=tuple(EFFECT_LABELS),
        default="d_z",
        help="what is pooled: standardised change d_z (default) or the raw mean change",
    )
    add_min_n(
        parser, help="hide hubs with fewer respondents than this (default 5, or $IMPACT_MIN_N)"
    )
    add_output_options(parser)
    parser.set_defaults(run=run)


def _load(files: Sequence[str]) -> tuple[pd.DataFrame | None, Instrument | None, int]:
    """Read and check every file; return (frame, instrument, exit code if failed else 0)."""
    from evaluation.validation import check_files

    result = check_files(list(files), stop_at_error=True)
    for name, checked in zip(files, result.files, strict=False):
        report = checked.report
        if checked.frame is None:
            err(f"{name}: cannot be read.")
            for problem in report.errors:
                err(f"  {problem.message}")
            return None, None, 2
        if not report.valid:
            err(f"{name}: {len(report.errors)} problem(s) must be fixed first:")
            for problem in report.errors[:20]:
                err(f"  {problem.brief()}")
            return None, None, 1
        for note in checked.notes:
            err(f"{name}: {note}")
    return result.surveys, result.instrument, 0


def _resolve_ncp(wanted: str, present: Sequence[str]) -> str | None:
    from schemas.reference import ncps

    table = ncps()
    key = wanted.strip().casefold()
    for _, row in table.iterrows():
        if key in (str(row["code"]).casefold(), str(row["name"]).casefold()):
            return str(row["name"])
    for name in present:
        if str(name).casefold() == key:
            return str(name)
    return None


_COUNTS = ("n_paired", "n_respondents", "k", "k_suppressed", "k_excluded", "q_df")


def _record(record: dict) -> dict:
    out = {k: _clean(v) for k, v in record.items()}
    for key in _COUNTS:
        value = out.get(key)
        if isinstance(value, float):
            out[key] = int(value)
    return out


def _clean(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):
        return _clean(value.item())  # numpy scalar
    return value


def run(args: argparse.Namespace) -> int:
    """Run ``national``; 0 done, 1 a file has errors, 2 unreadable file or bad request."""
    # Imported here, not at the top, so that --help does not load pandas and SciPy.
    from evaluation.stats.disclosure import display_table, resolve_min_n
    from evaluation.stats.national import hub_effects, national_table, pool_hubs

    try:
        min_n = resolve_min_n(args.min_n)
        frame, instrument, code = _load(args.files)
    except ModuleNotFoundError as exc:
        err(f"This command needs a part of the toolkit that is not installed yet ({exc.name}).")
        return 2
    if code:
        return code
    assert frame is not None and instrument is not None
    ncp = _resolve_ncp(args.ncp, frame[c.NCP].dropna().unique().tolist())
    if ncp is None:
        names = "; ".join(sorted(frame[c.NCP].dropna().astype(str).unique()))
        err(f"'{args.ncp}' is not an NCP name or code we know. NCPs in these files: {names}.")
        return 2
    rows = frame[frame[c.NCP].eq(ncp)]
    if args.year:
        rows = rows[rows[c.ACADEMIC_YEAR].eq(args.year)]
    if rows.empty:
        year = f" in {args.year}" if args.year else ""
        err(f"None of the files has responses for {ncp}{year}.")
        return 2
    outcomes = [*instrument.constructs, *instrument.item_ids]
    outcome = args.outcome or instrument.constructs[0]
    if outcome not in outcomes:
        err(f"'{outcome}' is not an item or construct here. Choose one of: {', '.join(outcomes)}.")
        return 2

    from evaluation.stats.paired import paired_change
    from evaluation.stats.scoring import to_long

    long = to_long(
        rows, instrument, keys=(c.HUB, c.NCP, c.WORK_GROUP), outcomes=[outcome], categorical=True
    )
    paired = paired_change(long, by=[c.HUB, c.NCP], cluster=c.WORK_GROUP)
    hubs = hub_effects(paired, outcome=outcome, ncp=ncp, min_n=min_n)
    pooled = pool_hubs(hubs, effect=args.effect, method=args.method, test=args.test)
    table = national_table(hubs, pooled, effect=args.effect)

    if args.json:
        document = {
            "ncp": ncp,
            "outcome": outcome,
            "academic_year": args.year,
            "effect": args.effect,
            "method": args.method,
            "test": args.test,
            "min_n": min_n,
            "hubs": [
                _record(rec)
                for rec in table[table["row"].eq("hub")]
                .drop(columns=["row", "note"])
                .to_dict("records")
            ],
            "pooled": _record(pooled.to_dict()),
        }
        print(json.dumps(document, indent=2))
    elif args.csv:
        display_table(table, digits=4).to_csv(sys.stdout, index=False)
    else:
        print(_text(table, pooled, ncp=ncp, outcome=outcome, effect=args.effect, min_n=min_n))
    return 0


def _ci(est: object, low: object, high: object) -> str:
    values = [pd.to_numeric(v, errors="coerce") for v in (est, low, high)]
    if any(pd.isna(v) for v in values):
        return "–"
    return f"{values[0]:.2f} ({values[1]:.2f} to {values[2]:.2f})"


def _text(
    table: pd.DataFrame, pooled: pd.Series, *, ncp: str, outcome: str, effect: str, min_n: int
) -> str:
    from evaluation.stats.disclosure import SUPPRESSED_SYMBOL  # here, not at the top: fast --help

    header = ["Hub", "n", "Mean change (95% CI)", "d_z (95% CI)"]
    lines = []
    for _, row in table.iterrows():
        if row["row"] == "hub" and row["suppressed"]:
            lines.append(
                [row[c.HUB], SUPPRESSED_SYMBOL, SUPPRESSED_SYMBOL, SUPPRESSED_SYMBOL]
                + [f"{row['suppression_reason']}"]
            )
            continue
        n = "" if pd.isna(row["n_paired"]) else f"{int(row['n_paired'])}"
        lines.append(
            [
                row[c.HUB],
                n,
                _ci(row["mean_change"], row["mean_change_ci_low"], row["mean_change_ci_high"]),
                _ci(row["d_z"], row["d_z_ci_low"], row["d_z_ci_high"]),
                "",
            ]
        )
    widths = [max(len(str(r[i])) for r in [header, *lines]) for i in range(4)]

    def fmt(cells: Sequence[object]) -> str:
        text = "  ".join(str(v).ljust(w) for v, w in zip(cells, widths, strict=False))
        extra = cells[4] if len(cells) > 4 and cells[4] else ""
        return (text + ("  " + str(extra) if extra else "")).rstrip()

    out = [
        f"{outcome.replace('_', ' ').capitalize()} — {ncp}",
        f"Pooled {EFFECT_LABELS[effect].lower()}, {pooled['method']} random effects"
        f"{', Knapp–Hartung interval' if pooled.get('test') == 'knha' else ''}; "
        f"hubs with fewer than {min_n} respondents shown as {SUPPRESSED_SYMBOL}.",
        "",
        fmt(header),
        fmt(["-" * w for w in widths]),
    ]
    out += [fmt(line) for line in lines[:-1]]
    out += [fmt(["-" * w for w in widths]), fmt(lines[-1])]
    tau2, i2 = pooled["tau2"], pooled["i2"]
    pi = (
        f"{pooled['pi_low']:.2f} to {pooled['pi_high']:.2f}"
        if pd.notna(pooled["pi_low"])
        else "not available"
    )
    het = f"tau^2 = {tau2:.3f}, I^2 = {i2:.0f}%" if pd.notna(tau2) else "tau^2 not estimable"
    q = f"Q = {pooled['q']:.2f} (df {int(pooled['q_df'])}, p = {pooled['q_p']:.3g})"
    out += ["", f"Between hubs: {het}; {q}. 95% prediction interval: {pi}."]
    if isinstance(pooled["note"], str) and pooled["note"]:
        out.append(pooled["note"])
    return "\n".join(out)
