"""People over time's look-up paths against the pandas operations they replace (issue 21 item 7).

``roster_at`` overlays the changes by a dict in date order and ``employed_plan`` finds the employed months by dict
look-ups on numpy columns when the IDs are stripped text and the dates are dates; ``column_by_month`` repeats its
rows twelve times by one take instead of a cross merge. Each is compared here with the pandas reference
(``_roster_at``, ``_employed_plan``, ``_cross_months``) frame for frame and dtype for dtype, on the sample's Roster,
Roster Changes and Plan and on those grown with many changes (duplicated people, blank cells, later and earlier
years, retroactive rows, days other than the first); ``Ledger.threshold``'s memo against the sheet.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from toolkit.core import people as P
from toolkit.core.ledger import thresholds
from toolkit.operations.source import Source
from toolkit.schema import THRESHOLD_DEFAULTS

PERIOD = "2026-10"
#: The months compared: either side of the year's changes and through it.
MONTHS = ((2025, 12), (2026, 1), (2026, 3), (2026, 6), (2026, 7), (2026, 10), (2026, 12), (2027, 2))


@pytest.fixture(scope="module")
def sample(sample_dir):
    """The sample's ledger (all four departments)."""
    return Source([sample_dir], sample_dir / "standards.xlsx", force=True).ledger(PERIOD)


def _grown(roster: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    """The sample's Roster Changes and 60 more made from its rows: every changed column, blanks, other years,
    a retroactive row in three, days other than the first, several changes of one person on one date."""
    ids = roster["employee_id"].dropna().tolist()
    depts = sorted(set(roster["department"].dropna()))
    plans = sorted(set(roster["royalty_plan"].dropna())) or [None]
    rows = []
    for i in range(60):
        rows.append({"employee_id": ids[(i * 7) % len(ids)],
                     "effective_from": pd.Timestamp(2025 + (i % 7 == 0) + (i % 11 == 0), 1 + i % 12, 1 + (i % 4) * 9),
                     "department": depts[i % len(depts)] if i % 4 == 0 else None,
                     "role": "Manager" if i % 13 == 0 else None, "grade": f"G{1 + i % 5}" if i % 2 else None,
                     "royalty_plan": plans[i % len(plans)] if i % 5 == 1 else None,
                     "floating_base": 5000.0 + 100 * i if i % 3 == 0 else np.nan,
                     "retroactive": "Yes" if i % 3 == 0 else "No", "_row": 100 + i})
    more = pd.DataFrame(rows).astype({c: changes[c].dtype for c in changes.columns if c in rows[0]})
    return pd.concat([changes, more], ignore_index=True)


def _cases(led):
    """(Roster, Roster Changes) pairs: the sample's; grown; grown with a duplicated person and a person without an
    ID on the Roster; grown with IDs in spaces (the pandas path) and without any change of the first rows."""
    roster, changes = led.standard("Roster"), led.standard("RosterChanges")
    grown = _grown(roster, changes)
    yield roster, changes
    yield roster, grown
    doubled = pd.concat([roster, roster.iloc[[0, 3]], roster.iloc[[1]].assign(employee_id=np.nan)], ignore_index=True)
    yield doubled, grown
    yield roster, grown.assign(employee_id=" " + grown["employee_id"] + " ")
    yield roster, grown.iloc[len(changes) + 5:]


def test_roster_at_by_look_up_is_the_pandas_overlay(sample):
    seen = 0
    for roster, changes in _cases(sample):
        for year, month in MONTHS:
            got, want = P.roster_at(roster, changes, year, month), P._roster_at(roster, changes, year, month)
            pd.testing.assert_frame_equal(got, want, check_exact=True)
            assert (got is roster) == (want is roster)
            seen += not got.equals(roster)
    assert seen > 20  # the changes do change the Roster in most of these months


def test_roster_changes_dated_as_text_are_read_as_the_pandas_overlay_reads_them():
    """Effective From kept as text: pandas guesses a text column's date format from its first value, so the whole
    column ("20/12/2026" first: day first) and the rows due alone ("01/03/2026" first: month first) read "15/02/2026"
    and "01/03/2026" in another order; the Roster of March must be the reference's (the review's case)."""
    text = lambda values: pd.Series(values, dtype="str")  # noqa: E731 - a short helper
    roster = pd.DataFrame({"employee_id": text(["E1", "E2"]), "department": text(["A", "B"]),
                           "floating_base": [1.0, 2.0]})
    changes = pd.DataFrame({"employee_id": text(["E9", "E1", "E1"]),
                            "effective_from": text(["20/12/2026", "01/03/2026", "15/02/2026"]),
                            "department": text(["X", "Mar1", "Feb15"])})
    got, want = P.roster_at(roster, changes, 2026, 3), P._roster_at(roster, changes, 2026, 3)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got["department"].tolist() != roster["department"].tolist()  # a change did count


def test_employed_plan_by_look_up_is_the_pandas_one(sample):
    roster, plan = sample.standard("Roster"), sample.tables["Plan"]
    assert roster["leave_date"].notna().any() and roster["start_date"].notna().any()
    dated = roster.assign(start_date=roster["start_date"].fillna(pd.Timestamp("2026-03-11")))
    doubled = pd.concat([roster.iloc[[5]].assign(start_date=pd.Timestamp("2026-08-01")), roster], ignore_index=True)
    changed = 0
    for r in (roster, dated, doubled, roster.drop(columns="leave_date"), roster.assign(start_date=pd.NaT)):
        for p in (plan, plan.assign(employee_id=plan["employee_id"] + " "), plan.head(3)):
            for year in (2025, 2026, 2027):
                got, want = P.employed_plan(p, r, year), P._employed_plan(p, r, year)
                pd.testing.assert_frame_equal(got, want, check_exact=True)
                assert (got is p) == (want is p)
                changed += got is not p
    assert changed > 10


def test_months_by_one_take_are_the_cross_merge(sample):
    roster = sample.standard("Roster")
    for frame in (roster, roster.head(1), roster.head(0), roster[["employee_id", "floating_base"]].iloc[::-1]):
        pd.testing.assert_frame_equal(P._by_month(frame), P._cross_months(frame), check_exact=True)


def test_a_threshold_is_the_sheet_s_value_and_follows_a_new_sheet(sample):
    sheet = thresholds(sample.standards)
    assert {name: sample.threshold(name) for name in THRESHOLD_DEFAULTS} == \
        {name: sheet[name] for name in THRESHOLD_DEFAULTS}
    frame = sample.standards.tables["Thresholds"]
    new = pd.concat([frame, pd.DataFrame({"name": ["Amber Band"], "value": [0.42]})], ignore_index=True)
    other = dataclasses.replace(sample, standards=dataclasses.replace(
        sample.standards, tables=sample.standards.tables | {"Thresholds": new}), memo=dict(sample.memo))
    assert other.threshold("Amber Band") == 0.42  # the memo copied over is of another frame: read again
    assert sample.threshold("Amber Band") == sheet["Amber Band"] != 0.42
