"""``python -m evaluation store``: add, list, withdraw, replace, relabel datasets; audit log; roles.

Uses ``$DATABASE_URL`` (PostgreSQL) or the SQLite file under ``$IMPACT_HOME``; acts as the local
national user, named by ``--uploader`` or ``$USER``.
"""

from __future__ import annotations

import argparse
import getpass
import json
import math
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evaluation.cli._common import GROUP_HELP, lazy_module
from evaluation.cli.validate import shows_pupil_scores

if TYPE_CHECKING:
    import pandas as pd

    from evaluation.access import Viewer
    from evaluation.store import AddResult, Store
else:
    pd = lazy_module("pandas")  # imported on first use, so that --help does not load pandas


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``store`` sub-command (add, list, withdraw, replace, relabel, audit, seed, role).

    Examples
    --------
    >>> from evaluation.cli import main
    >>> main(["store"])
    2
    """
    parser = subparsers.add_parser(
        "store",
        help="keep uploaded files: add, list, withdraw, replace; show the audit log",
        description=(
            "Store validated survey and pupil files with their provenance. Uses DATABASE_URL "
            "when set (PostgreSQL), otherwise the SQLite file in IMPACT_HOME (default .impact/)."
        ),
    )
    parser.set_defaults(run=_usage(parser))
    actions = parser.add_subparsers(dest="action", metavar="ACTION")

    add = actions.add_parser("add", help="validate a file and store it if it is valid")
    add.add_argument("file", metavar="FILE", help="survey or pupil file (.csv or .xlsx)")
    add.add_argument("--kind", choices=("survey", "pupil"), help="default: the kind the file shows")
    _defaults_options(add)
    _common_options(add)
    add.set_defaults(run=_add)

    listing = actions.add_parser("list", help="list stored datasets")
    listing.add_argument("--json", action="store_true", help="one JSON document on stdout")
    listing.set_defaults(run=_list)

    withdraw = actions.add_parser("withdraw", help="withdraw a dataset (kept, no longer used)")
    withdraw.add_argument("dataset_id", type=int, metavar="ID")
    withdraw.add_argument("--reason", required=True, metavar="TEXT", help="why (audited)")
    _common_options(withdraw)
    withdraw.set_defaults(run=_withdraw)

    replace = actions.add_parser("replace", help="replace a dataset with a corrected file")
    replace.add_argument("dataset_id", type=int, metavar="ID")
    replace.add_argument("file", metavar="FILE")
    replace.add_argument(
        "--reason", default="Replaced with a corrected file", metavar="TEXT", help="why (audited)"
    )
    _defaults_options(replace)
    _common_options(replace)
    replace.set_defaults(run=_replace)

    relabel = actions.add_parser(
        "relabel",
        help="correct a dataset's whole-file values (--phase, --hub, --ncp, --year, --work-group, "
        "--group)",
        description=(
            "Give every row of a stored dataset a corrected phase, hub, project, year or Work "
            "Group (for a file stored with the wrong --phase, say). The old dataset is kept as "
            "replaced; the audit log records who, when, why and what changed."
        ),
    )
    relabel.add_argument("dataset_id", type=int, metavar="ID")
    relabel.add_argument("--reason", required=True, metavar="TEXT", help="why (audited)")
    _defaults_options(relabel)
    _common_options(relabel)
    relabel.set_defaults(run=_relabel)

    audit = actions.add_parser("audit", help="show the audit log")
    audit.add_argument("--json", action="store_true", help="one JSON document on stdout")
    audit.set_defaults(run=_audit)

    seed = actions.add_parser("seed", help="add the small synthetic sample (marked synthetic)")
    seed.add_argument(
        "--if-empty",
        action="store_true",
        help="only when nothing has ever been stored (what the dashboard does on a first run)",
    )
    _common_options(seed)
    seed.set_defaults(run=_seed)

    role = actions.add_parser(
        "role", help="who may see what when the dashboard has sign-in (set, remove, list)"
    )
    role.set_defaults(run=_usage(role))
    role_actions = role.add_subparsers(dest="role_action", metavar="ROLE_ACTION")
    role_set = role_actions.add_parser("set", help="give someone a role (audited)")
    role_set.add_argument("who", metavar="EMAIL", help="the email they sign in with")
    role_set.add_argument("--role", required=True, choices=("national", "hub", "lead"))
    role_set.add_argument("--hub", metavar="H", help="their Maths Hub (hub and lead roles)")
    role_set.add_argument(
        "--work-group",
        action="append",
        default=[],
        metavar="WG",
        dest="work_groups",
        help="a Work Group a lead may see (repeat for several)",
    )
    _common_options(role_set)
    role_set.set_defaults(run=_role_set)
    role_remove = role_actions.add_parser("remove", help="take someone's access away (audited)")
    role_remove.add_argument("who", metavar="EMAIL")
    _common_options(role_remove)
    role_remove.set_defaults(run=_role_remove)
    role_list = role_actions.add_parser("list", help="list everyone's role")
    role_list.add_argument("--json", action="store_true", help="one JSON document on stdout")
    role_list.set_defaults(run=_role_list)


def _usage(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    def run(_args: argparse.Namespace) -> int:
        parser.print_help(sys.stderr)
        return 2

    return run


def _defaults_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("values for the whole file (when its rows lack them)")
    group.add_argument("--hub", metavar="H", help="Maths Hub name")
    group.add_argument("--ncp", metavar="P", help="NCP name or code")
    group.add_argument("--phase", metavar="pre|post")
    group.add_argument("--year", metavar="Y", help="academic year, e.g. 2024/25")
    group.add_argument("--work-group", metavar="WG", help="Work Group id")
    group.add_argument("--group", metavar="G", help=GROUP_HELP)


def _common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--uploader", metavar="NAME", help="who you are, for the audit log (default: $USER)"
    )
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")


def _user(args: argparse.Namespace) -> str:
    if args.uploader:
        return args.uploader
    try:
        return os.environ.get("USER") or getpass.getuser() or "local user"
    except Exception:  # getpass fails when no user name is known (some containers)
        return "local user"


def _file_defaults(args: argparse.Namespace) -> Any:
    from evaluation.io.reader import FileDefaults

    values = {
        "hub": args.hub,
        "ncp": args.ncp,
        "phase": args.phase,
        "academic_year": args.year,
        "work_group": args.work_group,
        "group": args.group,
    }
    if not any(values.values()):
        return None
    return FileDefaults(**values)


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def _emit_json(document: Any) -> None:
    print(json.dumps(_jsonable(document), ensure_ascii=False, indent=2))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return _jsonable(value.item())
    return value


def _open() -> Store:
    from evaluation.store import Store  # here, not at the top: --help skips SQLAlchemy

    return Store.open()


def _national(name: str) -> Viewer:
    """The local national user ``name``, who may see and change everything."""
    from evaluation.access import Viewer  # here, not at the top: --help skips pandas

    return Viewer.national(name)


def _print_report(result: AddResult) -> None:
    report = result.report
    if report is None:
        return
    for title, problems, limit in (
        ("Problems to fix", report.errors, 50),
        ("Worth a look", report.warnings, 20),
    ):
        if not problems:
            continue
        print(f"{title} ({len(problems)}):")
        for problem in problems[:limit]:
            print(f"  - {problem.describe()}")
        if len(problems) > limit:
            print(f"  ... and {len(problems) - limit} more (use --json to see them all).")


def _result(result: AddResult, as_json: bool, warnings: list[str] | None = None) -> int:
    if as_json:
        document: dict[str, Any] = {
            "dataset_id": result.dataset_id,
            "status": result.status,
            "n_rows": result.n_rows,
            "message": result.message,
            "dropped": [{"column": col, "reason": why} for col, why in result.dropped],
        }
        if result.report is not None:
            document["report"] = result.report.to_dict()
        if warnings:
            document["warnings"] = warnings
        _emit_json(document)
    else:
        if result.status == "invalid":
            _print_report(result)
        print(result.message)
    for line in warnings or ():
        _err(line)
    if result.status == "invalid":
        return 2 if result.unreadable else 1
    return 0


def _guarded(action: Callable[[], int]) -> int:
    from evaluation.store import StoreError  # here, not at the top: --help skips SQLAlchemy

    try:
        return action()
    except StoreError as exc:  # includes StoreBusy: the message says to try again
        _err(str(exc))
        return 2


def _add(args: argparse.Namespace) -> int:
    def action() -> int:
        with _open() as store:
            from evaluation.validation.messages import KIND_SHOWN  # here: --help skips pandera

            for kind in (args.kind or "survey", "pupil"):
                result = store.add_file(
                    args.file,
                    kind=kind,
                    defaults=_file_defaults(args),
                    uploader=_user(args),
                    viewer=_national(_user(args)),
                )
                if args.kind or not shows_pupil_scores(result.report):
                    break
                _err(KIND_SHOWN["pupil"])  # no --kind: store it as the kind the file shows
            warnings = _comparison_warnings(store, result, args)
        return _result(result, args.json, warnings)

    return _guarded(action)


def _comparison_warnings(store: Store, result: AddResult, args: argparse.Namespace) -> list[str]:
    """Why comparison rows just stored give no impact yet (no project data of their year)."""
    if result.status != "stored":
        return []
    from evaluation.presentation.readings.impact import stored_comparison_warnings

    viewer = _national(_user(args))
    name = Path(args.file).name
    return stored_comparison_warnings(store, result.dataset_id, viewer=viewer, file_name=name)


def _replace(args: argparse.Namespace) -> int:
    def action() -> int:
        with _open() as store:
            result = store.replace(
                args.dataset_id,
                args.file,
                by=_national(_user(args)),
                reason=args.reason,
                defaults=_file_defaults(args),
            )
        return _result(result, args.json)

    return _guarded(action)


def _relabel(args: argparse.Namespace) -> int:
    def action() -> int:
        values = {
            "hub": args.hub,
            "ncp": args.ncp,
            "phase": args.phase,
            "academic_year": args.year,
            "work_group": args.work_group,
            "group": args.group,
        }
        with _open() as store:
            new_id = store.relabel(
                args.dataset_id, values, by=_national(_user(args)), reason=args.reason
            )
        message = f"Relabelled dataset {args.dataset_id}: its rows are now dataset {new_id}."
        if args.json:
            _emit_json(
                {
                    "dataset_id": args.dataset_id,
                    "new_dataset_id": new_id,
                    "status": "relabelled",
                    "message": message,
                }
            )
        else:
            print(message)
        return 0

    return _guarded(action)


def _withdraw(args: argparse.Namespace) -> int:
    def action() -> int:
        with _open() as store:
            store.withdraw(args.dataset_id, reason=args.reason, by=_national(_user(args)))
        message = f"Withdrew dataset {args.dataset_id}."
        if args.json:
            _emit_json({"dataset_id": args.dataset_id, "status": "withdrawn", "message": message})
        else:
            print(message)
        return 0

    return _guarded(action)


def _list(args: argparse.Namespace) -> int:
    def action() -> int:
        with _open() as store:
            table = store.list_datasets(_national(os.environ.get("USER", "local user")))
        if args.json:
            _emit_json({"datasets": table.to_dict("records")})
            return 0
        if table.empty:
            print("No datasets stored yet. Add one with: python -m evaluation store add FILE")
            return 0
        shown = pd.DataFrame(
            {
                "id": table["dataset_id"],
                "kind": table["kind"],
                "status": table["status"]
                + table["synthetic"].map({True: " (synthetic)", False: ""}),
                "rows": table["n_rows"],
                "years": table["academic_years"].map(", ".join),
                "hubs": table["hubs"].map(lambda h: h[0] if len(h) == 1 else f"{len(h)} hubs"),
                "file": table["file_name"],
                "uploaded": table["uploaded_at"].dt.strftime("%Y-%m-%d %H:%M"),
                "by": table["uploader"],
            }
        )
        print(shown.to_string(index=False))
        return 0

    return _guarded(action)


def _audit(args: argparse.Namespace) -> int:
    def action() -> int:
        with _open() as store:
            log = store.audit_log(_national(os.environ.get("USER", "local user")))
        if args.json:
            _emit_json({"entries": log.to_dict("records")})
            return 0
        if log.empty:
            print("The audit log is empty.")
            return 0
        for entry in log.itertuples(index=False):
            target = "" if pd.isna(entry.dataset_id) else f" dataset {entry.dataset_id}"
            if not pd.isna(entry.new_dataset_id):
                target += f" -> {entry.new_dataset_id}"
            why = f": {entry.reason}" if isinstance(entry.reason, str) and entry.reason else ""
            print(f"{entry.at:%Y-%m-%d %H:%M} {entry.who} {entry.action}{target}{why}")
        return 0

    return _guarded(action)


def _seed(args: argparse.Namespace) -> int:
    def action() -> int:
        with _open() as store:
            skipped = args.if_empty and not store.is_empty()
            results = () if skipped else store.seed_sample(by=_user(args))
        if args.json:
            _emit_json(
                {
                    "datasets": [
                        {"dataset_id": r.dataset_id, "status": r.status, "n_rows": r.n_rows}
                        for r in results
                    ]
                }
            )
        elif skipped:
            print("The store already holds data: the sample was not added.")
        else:
            for result in results:
                print(result.message)
        return 0

    return _guarded(action)


def _role_set(args: argparse.Namespace) -> int:
    from evaluation.access import normalise_identity
    from evaluation.presentation.reports import resolve_hub

    hub = None
    if args.role != "national":
        if not args.hub:
            _err(f"A {args.role} role needs --hub (the Maths Hub they belong to).")
            return 2
        hub, suggestion = resolve_hub(args.hub)
        if hub is None:
            hint = f" Did you mean '{suggestion}'?" if suggestion else ""
            _err(f"'{args.hub}' is not a Maths Hub.{hint}")
            return 2
    if args.role == "lead" and not args.work_groups:
        _err("A lead role needs at least one --work-group (the Work Groups they lead).")
        return 2
    who = normalise_identity(args.who)
    if "@" not in who:
        _err(f"'{args.who}' does not look like an email address: use the one they sign in with.")
        return 2

    def action() -> int:
        work_groups = tuple(args.work_groups) if args.role == "lead" else ()
        with _open() as store:
            store.set_role(who, args.role, hub=hub, work_groups=work_groups, by=_user(args))
        place = "" if hub is None else f" for {hub}"
        groups = f" (Work Groups {', '.join(work_groups)})" if work_groups else ""
        message = f"{who} is now a {args.role} user{place}{groups}."
        if args.json:
            _emit_json(
                {
                    "who": who,
                    "role": args.role,
                    "hub": hub,
                    "work_groups": list(work_groups),
                    "message": message,
                }
            )
        else:
            print(message)
        return 0

    return _guarded(action)


def _role_remove(args: argparse.Namespace) -> int:
    from evaluation.access import normalise_identity

    who = normalise_identity(args.who)

    def action() -> int:
        with _open() as store:
            removed = store.remove_role(who, by=_user(args))
        message = f"{who} no longer has access." if removed else f"{who} had no role."
        if args.json:
            _emit_json({"who": who, "removed": removed, "message": message})
        else:
            print(message)
        return 0

    return _guarded(action)


def _role_list(args: argparse.Namespace) -> int:
    def action() -> int:
        with _open() as store:
            table = store.list_roles(_national(os.environ.get("USER", "local user")))
        if args.json:
            _emit_json({"roles": table.to_dict("records")})
            return 0
        if table.empty:
            print(
                "Nobody has a role yet. Add the first national user with: "
                "python -m evaluation store role set EMAIL --role national"
            )
            return 0
        shown = pd.DataFrame(
            {
                "who": table["who"],
                "role": table["role"],
                "hub": table["hub"].fillna(""),
                "work groups": table["work_groups"].map(", ".join),
                "changed by": table["updated_by"],
            }
        )
        print(shown.to_string(index=False))
        return 0

    return _guarded(action)
