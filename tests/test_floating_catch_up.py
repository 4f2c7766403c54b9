"""The floating-pay catch-up of a close (``core.payouts.floating_payouts``): an earlier month with no floating pay
recorded for someone is appraised and paid now; a month owed only to people not employed in it is not appraised
at all (it pays them nothing), and skipping it changes no row or note."""

from __future__ import annotations

import pandas as pd

from toolkit.core.coverage import COMPUTED
from toolkit.core.payouts import YearHistory, floating_payouts

PEOPLE = ["E1", "E2", "E3"]
#: Each person's share of each month employed: E3 is hired in April (none before), E2 leaves after February.
SHARES = {"2026-01": [1.0, 1.0, 0.0], "2026-02": [1.0, 0.5, 0.0], "2026-03": [1.0, 0.0, 0.0],
          "2026-04": [1.0, 0.0, 1.0]}


def _lines(period: str) -> pd.DataFrame:
    """The appraisal lines of ``period``: a pay for everyone employed in it (E1 100.00, E2 50.00, E3 70.00)."""
    share = SHARES.get(period, [1.0, 0.0, 1.0])
    pay = [100.0, 50.0, 70.0]
    keep = [i for i, s in enumerate(share) if s > 0]
    return pd.DataFrame({"employee_id": [PEOPLE[i] for i in keep], "name": [f"N{PEOPLE[i]}" for i in keep],
                         "department": "East", "status": COMPUTED, "pay": [pay[i] for i in keep]})


def _history(paid_months: dict[str, list[str]]) -> YearHistory:
    rows = [{"employee_id": e, "kind": "floating", "entry": "payment", "amount": 1.0, "period": p}
            for e, months in paid_months.items() for p in months]
    paid = pd.DataFrame(rows, columns=["employee_id", "kind", "entry", "amount", "period"])
    return YearHistory(2026, paid, last_close="2026-01", first_close="2026-01", closed_months=[1])


def test_months_owed_only_to_people_not_employed_are_not_appraised_and_pay_the_same():
    """April's close, everyone computed now: E1 was paid January; E3 (hired in April) has no floating pay recorded
    for January–March. February and March are owed to E1 (employed): appraised and paid; with the shares known,
    no month is appraised for E3 alone, and the rows and notes are those of appraising every month."""
    lines = pd.DataFrame({"employee_id": ["E1", "E3"], "name": ["NE1", "NE3"], "department": "East",
                          "status": COMPUTED, "pay": [100.0, 70.0]})
    history = _history({"E1": ["2026-01"], "E2": ["2026-01", "2026-02"]})

    def shares(period: str) -> pd.Series:
        return pd.Series(SHARES[period], index=PEOPLE)

    asked: list[str] = []

    def appraise(period: str) -> pd.DataFrame:
        asked.append(period)
        return _lines(period)

    every, every_notes = floating_payouts("2026-04", lines, history, appraise)
    assert asked == ["2026-01", "2026-02", "2026-03"]  # January for E3 alone: appraised, pays nothing
    asked.clear()
    skipped, skipped_notes = floating_payouts("2026-04", lines, history, appraise, employed=shares)
    assert asked == ["2026-02", "2026-03"]  # January owed only to E3, not employed then: not appraised
    pd.testing.assert_frame_equal(skipped, every)
    assert skipped_notes == every_notes
    assert set(skipped.loc[skipped["period"] < "2026-04", "employee_id"]) == {"E1"}
    assert skipped["amount"].sum() == 100.0 * 3 + 70.0  # E1: February, March, April; E3: April


def test_a_share_not_known_counts_as_employed():
    """Someone the shares do not list (a Roster without them) is appraised, as the appraisal keeps them."""
    lines = pd.DataFrame({"employee_id": ["E9"], "name": ["NE9"], "department": "East", "status": COMPUTED,
                          "pay": [40.0]})
    asked: list[str] = []

    def appraise(period: str) -> pd.DataFrame:
        asked.append(period)
        return pd.DataFrame({"employee_id": ["E9"], "name": ["NE9"], "department": "East", "status": COMPUTED,
                             "pay": [40.0]})

    rows, _ = floating_payouts("2026-03", lines, _history({}), appraise,
                               employed=lambda p: pd.Series([1.0], index=["E1"]))
    assert asked == ["2026-01", "2026-02"]
    assert list(rows["period"]) == ["2026-01", "2026-02", "2026-03"]
