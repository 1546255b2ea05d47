"""Benchmark: read + validate 1,000,000 survey rows against a bare ``pandas.read_csv`` of the file.

Target (DESIGN §11): our read + validate takes at most 3x the bare read. Run:
``.venv/bin/python benchmarks/bench_read_validate.py [--rows N] [--repeats K] [--export]``;
``--export`` writes the rows as a survey tool would (answers as labels, UK date-times).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from evaluation import columns as c
from evaluation.instruments import default_instrument
from evaluation.validation import check_survey
from schemas import reference


def survey_frame(rows: int, seed: int = 2024) -> pd.DataFrame:
    """A canonical survey frame: synthetic national data if available, else built with numpy."""
    try:
        from evaluation import synthetic  # written by another engineer; may not exist yet

        surveys = synthetic.generate("national", seed=seed).surveys
        if len(surveys) >= rows:
            return surveys.iloc[:rows].reset_index(drop=True)
        # Top up with copies whose people are new (distinct codes), so no response is duplicated.
        copies = [surveys]
        for k in range(1, -(-rows // len(surveys))):
            copies.append(surveys.assign(respondent_id=surveys[c.RESPONDENT_ID] + f"-{k}"))
        return pd.concat(copies, ignore_index=True).iloc[:rows]
    except (ImportError, AttributeError):
        pass
    rng = np.random.default_rng(seed)
    hubs = reference.hubs()["name"].to_numpy()
    ncps = reference.ncps()["name"].to_numpy()
    people = rows // 2
    person = np.repeat(np.arange(people), 2)[:rows]
    frame = pd.DataFrame(
        {
            c.RESPONDENT_ID: np.char.add("p", person.astype(str)),
            c.PHASE: np.tile(["pre", "post"], people + 1)[:rows],
            c.ACADEMIC_YEAR: rng.choice(["2021/22", "2022/23", "2023/24", "2024/25"], rows),
            c.HUB: hubs[person % len(hubs)],
            c.NCP: ncps[(person // 7) % len(ncps)],
            c.WORK_GROUP: np.char.add("WG-", (person // 20).astype(str)),
            c.SCHOOL_URN: 100000 + (person // 3) % 899999,
        }
    )
    for item in default_instrument().item_ids:
        scores = rng.integers(1, 6, rows).astype(float)
        scores[rng.random(rows) < 0.03] = np.nan
        frame[item] = scores
    return frame


LABELS = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Neither agree nor disagree",
    4: "Agree",
    5: "Strongly agree",
}


def as_export(frame: pd.DataFrame) -> pd.DataFrame:
    """The same rows as a survey tool exports them: answers as labels, UK date-times, headers
    as people write them (the slow paths of the reader)."""
    out = frame.copy()
    for item in default_instrument().item_ids:
        out[item] = out[item].map(LABELS)
    out[c.SUBMITTED_AT] = pd.to_datetime(out[c.SUBMITTED_AT]).dt.strftime("%d/%m/%Y %H:%M")
    return out.rename(
        columns={
            c.RESPONDENT_ID: "Participant code",
            c.HUB: "Maths Hub",
            c.NCP: "Project",
            c.SUBMITTED_AT: "Start time",
        }
    )


def best_of(repeats: int, run) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument(
        "--export",
        action="store_true",
        help="write answers as labels and dates as 14/09/2024 10:05, as survey tools do",
    )
    args = parser.parse_args()
    frame = survey_frame(args.rows)
    if args.export:
        frame = as_export(frame)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "surveys.csv"
        frame.to_csv(path, index=False)
        size_mb = path.stat().st_size / 1e6
        bare = best_of(args.repeats, lambda: pd.read_csv(path))
        checked = check_survey(path)
        ours = best_of(args.repeats, lambda: check_survey(path))
    print(f"rows: {len(frame):,}  file: {size_mb:.0f} MB  columns: {frame.shape[1]}")
    print(
        f"valid: {checked.report.valid}  errors: {len(checked.report.errors)}  "
        f"warnings: {len(checked.report.warnings)}"
    )
    print(f"bare pandas.read_csv: {bare:.2f} s")
    print(f"check_survey (read + validate): {ours:.2f} s")
    print(f"ratio: {ours / bare:.2f} (target <= 3.0)")


if __name__ == "__main__":
    main()
