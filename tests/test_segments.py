"""Royalty across a change (DOMAIN.md, "Royalty across a change"; docs/people.md): hand-worked segments, every
expected cent written out. The scripted year with a tier change, a transfer and a retroactive correction is in
tests/test_people.py."""

from __future__ import annotations

import pandas as pd

from test_royalties import (LINES, _frame, cents, collections, contracts, line, plan, roster, royalty_plans,
                            tiers)
from toolkit.core.royalties import royalties
from toolkit.outputs.royalties import statement_frame
from toolkit.schema import STANDARDS

# E1 sells 100,000 a month (signed on the 5th); Signing target 100,000 a month. Plan A: 1% Marginal up to
# 100% and 3% over; plan B (from July, by a Roster Change): a flat 2%, gate 50%.
K = contracts(*[(f"C{m:02d}", f"2026-{m:02d}-05", "E1", "Std", 100000.0 + (20000.0 if m >= 7 else 0.0))
                for m in range(1, 13)])
P = plan(("E1", "Signing", 100000.0))
PLANS = royalty_plans(("A", "Signed", "Marginal", 0.0, None), ("B", "Signed", "Marginal", 0.5, None))
TIERS = tiers(("A", 0.0, 1.0, 0.01), ("A", 1.0, None, 0.03), ("B", 0.0, None, 0.02))


def changes(*rows: dict) -> pd.DataFrame:
    return _frame("RosterChanges", list(rows), STANDARDS)


def test_a_plan_change_from_july_cuts_the_year_in_two_segments():
    ch = changes(dict(employee_id="E1", effective_from="2026-07-01", royalty_plan="B"))
    res = royalties(K, collections(), P, roster(("E1", "A")), PLANS, TIERS, LINES, "2026-08", changes=ch)
    got = line(res, "E1")
    # Jan–Jun under A: B = 600,000 = Y, all in the 0–100% band at 1% → 6,000.00
    # Jul–Aug under B: B = 240,000, Y = 200,000 (its own YTD): 2% of all → 4,800.00
    assert cents(got["ytd_royalty"]) == "10800.00"
    assert got["plan"] == "B" and got["segments"] == 2
    seg = res.segments[res.segments["employee_id"] == "E1"].sort_values("seg")
    assert list(seg["seg_from"]) == [1, 7] and list(seg["seg_to"]) == [6, 12]
    assert [cents(x) for x in seg["segment_royalty"]] == ["6000.00", "4800.00"]
    assert [round(x, 6) for x in seg["completion"]] == [1.0, 1.2]
    # August pays August's part only: the July change is not retroactive
    prev = royalties(K, collections(), P, roster(("E1", "A")), PLANS, TIERS, LINES, "2026-07", changes=ch)
    assert cents(line(prev, "E1")["ytd_royalty"]) == "8400.00"  # 6,000 + 2% × 120,000
    assert cents(got["payment"]) == "2400.00"


def test_a_retroactive_change_replaces_the_plan_from_january_and_cuts_nothing():
    ch = changes(dict(employee_id="E1", effective_from="2026-07-01", royalty_plan="B", retroactive="Yes"))
    res = royalties(K, collections(), P, roster(("E1", "A")), PLANS, TIERS, LINES, "2026-08", changes=ch)
    got = line(res, "E1")
    assert got["segments"] == 1
    # B from January: 2% of 840,000
    assert cents(got["ytd_royalty"]) == "16800.00"


def test_new_tiers_valid_from_july_apply_from_july_only():
    t = _frame("RoyaltyTiers", [dict(plan="A", from_pct=0.0, to_pct=1.0, rate=0.01),
                                dict(plan="A", from_pct=1.0, rate=0.03),
                                dict(plan="A", from_pct=0.0, to_pct=1.0, rate=0.015, valid_from="2026-07-01"),
                                dict(plan="A", from_pct=1.0, rate=0.04, valid_from="2026-07-01")], STANDARDS)
    june = royalties(K, collections(), P, roster(("E1", "A")), PLANS, t, LINES, "2026-06")
    assert cents(line(june, "E1")["ytd_royalty"]) == "6000.00"  # the July version is not in force yet
    res = royalties(K, collections(), P, roster(("E1", "A")), PLANS, t, LINES, "2026-08")
    # Jan–Jun: 6,000.00; Jul–Aug: B 240,000 on Y 200,000: 1.5% × 200,000 + 4% × 40,000 = 4,600.00
    assert cents(line(res, "E1")["ytd_royalty"]) == "10600.00"
    assert line(res, "E1")["segments"] == 2


def test_the_annual_cap_of_the_plan_in_force_caps_the_sum_of_segments():
    plans = royalty_plans(("A", "Signed", "Marginal", 0.0, None), ("B", "Signed", "Marginal", 0.5, 9000.0))
    ch = changes(dict(employee_id="E1", effective_from="2026-07-01", royalty_plan="B"))
    res = royalties(K, collections(), P, roster(("E1", "A")), plans, TIERS, LINES, "2026-08", changes=ch)
    got = line(res, "E1")
    assert cents(got["ytd_royalty_uncapped"]) == "10800.00" and cents(got["ytd_royalty"]) == "9000.00"
    assert got["reason"] == "capped"


def test_a_change_dated_inside_a_month_starts_its_segment_the_next_month():
    ch = changes(dict(employee_id="E1", effective_from="2026-07-10", royalty_plan="B"))
    res = royalties(K, collections(), P, roster(("E1", "A")), PLANS, TIERS, LINES, "2026-08", changes=ch)
    seg = res.segments.sort_values("seg")
    assert list(seg["seg_from"]) == [1, 8]
    # Jan–Jul under A: B 720,000 on Y 700,000: 1% × 700,000 + 3% × 20,000 = 7,600.00; August under B: 2,400.00
    assert cents(line(res, "E1")["ytd_royalty"]) == "10000.00"


def test_the_trace_and_the_statement_sheet_show_each_segment():
    ch = changes(dict(employee_id="E1", effective_from="2026-07-01", royalty_plan="B"))
    res = royalties(K, collections(), P, roster(("E1", "A")), PLANS, TIERS, LINES, "2026-08", changes=ch)
    trace = res.trace("E1")
    segs = [t for t in trace if t["kind"] == "segment"]
    assert [(s["from"], s["to"], s["plan"], s["royalty"]) for s in segs] == [
        ("2026-01", "2026-06", "A", "6000.00"), ("2026-07", "2026-08", "B", "4800.00")]
    assert {t["segment"] for t in trace if t["kind"] == "band"} == {0, 1}
    for lang, word in (("en", "Segment 2026-07 – 2026-08: plan B"), ("zh", "分段 2026-07 – 2026-08：方案 B")):
        frame = statement_frame(res, "E1", lang)
        items = list(frame.iloc[:, 0])
        assert any(str(i).startswith(word) for i in items), items


def test_targets_before_the_start_date_count_zero():
    # Hired 15 April with a Plan of 100,000 every month (the director left January–March filled in): the
    # royalty counts April–June only, 300,000 against 300,000 sold, so an 80% gate is met.
    hired = _frame("Roster", [dict(employee_id="E1", name="Gus", department="East", role="Salesperson", grade="G1",
                                   royalty_plan="G", start_date="2026-04-15")], STANDARDS)
    plans = royalty_plans(("G", "Signed", "Marginal", 0.8, None))
    k = contracts(*[(f"C{m:02d}", f"2026-{m:02d}-20", "E1", "Std", 100000.0) for m in (4, 5, 6)])
    res = royalties(k, collections(), P, hired, plans, tiers(("G", 0.0, None, 0.02)), LINES, "2026-06")
    got = line(res, "E1")
    assert cents(got["ytd_target"]) == "300000.00" and cents(got["ytd_royalty"]) == "6000.00"
