"""Hand-worked royalty examples (DOMAIN.md, "Royalties"): every expected cent is written out."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

import ledger_year
from report_fixtures import ledger
import toolkit.core.royalties as R
from ledger_factory import typed
from toolkit.core.people import employed_plan
from toolkit.core.royalties import payment_schedule, royalties
from toolkit.errors import ToolkitError
from toolkit.schema import DEPARTMENT, MONTH_KEYS, STANDARDS

# --- frame builders (typed as the reader types them; shared with test_royalties_props.py) -------


def _frame(table_key: str, rows: list[dict], schema=DEPARTMENT) -> pd.DataFrame:
    table = schema.table(table_key)
    kinds = {c.key: c.type.value for c in table.columns}
    data = {}
    for key, kind in kinds.items():
        values = [r.get(key) for r in rows]
        if kind in ("date", "month"):
            data[key] = pd.to_datetime(pd.Series(values, dtype="object"))
        elif kind in ("money", "number", "percent"):
            data[key] = pd.Series(values, dtype="float64")
        elif kind == "integer":
            data[key] = pd.Series(values, dtype="Int64")
        else:
            data[key] = pd.Series(values, dtype="str")
    data["_row"] = pd.Series(range(2, len(rows) + 2), dtype="Int64")
    return pd.DataFrame(data)


def contracts(*rows: tuple) -> pd.DataFrame:
    """(contract_no, sign_date, employee_id, product_line, amount[, split_employee_id, split_share])."""
    out = []
    for r in rows:
        no, date, emp, line, amount, *split = r
        out.append({"contract_no": no, "sign_date": date, "customer": "Acme", "employee_id": emp,
                    "product_line": line, "amount": amount, "status": "Executing",
                    "split_employee_id": split[0] if split else None, "split_share": split[1] if split else None})
    return _frame("Contracts", out)


def collections(*rows: tuple) -> pd.DataFrame:
    """(receipt_no, receipt_date, contract_no, amount)."""
    return _frame("Collections", [{"receipt_no": r[0], "receipt_date": r[1], "contract_no": r[2], "amount": r[3],
                                   "method": "Bank Transfer"} for r in rows])


def plan(*rows: tuple) -> pd.DataFrame:
    """(employee_id, indicator, monthly target) - the same target every month."""
    out = []
    for emp, ind, monthly in rows:
        rec = {"employee_id": emp, "indicator": ind, **{k: monthly for k in MONTH_KEYS}, "annual": 12 * monthly}
        out.append(rec)
    return _frame("Plan", out)


def roster(*rows: tuple) -> pd.DataFrame:
    """(employee_id, royalty_plan[, floating_base])."""
    return _frame("Roster", [{"employee_id": r[0], "name": f"Name {r[0]}", "department": "East",
                              "role": "Salesperson", "grade": "G2", "royalty_plan": r[1],
                              "floating_base": r[2] if len(r) > 2 else 3000.0} for r in rows], STANDARDS)


def royalty_plans(*rows: tuple) -> pd.DataFrame:
    """(plan, basis, method, gate, annual_cap)."""
    return _frame("RoyaltyPlans", [dict(zip(("plan", "basis", "method", "gate", "annual_cap"), r)) for r in rows],
                  STANDARDS)


def tiers(*rows: tuple) -> pd.DataFrame:
    """(plan, from, to or None, rate) as fractions."""
    return _frame("RoyaltyTiers", [dict(zip(("plan", "from_pct", "to_pct", "rate"), r)) for r in rows], STANDARDS)


def product_lines(*rows: tuple) -> pd.DataFrame:
    """(product_line, royalty_factor, gross_margin)."""
    return _frame("ProductLines", [dict(zip(("product_line", "royalty_factor", "gross_margin"), r)) for r in rows],
                  STANDARDS)


LINES = product_lines(("Std", 1.0, 0.3), ("Hardware", 0.5, 0.2), ("Service", 1.5, 0.5))


def run(period: str, *, k, c=None, p, r, rp, t, pl=LINES):
    """royalties() with empty collections by default."""
    return royalties(k, c if c is not None else collections(), p, r, rp, t, pl, period)


def line(result, emp: str) -> dict:
    rows = result.lines[result.lines["employee_id"] == emp]
    assert len(rows) == 1, result.lines
    return rows.iloc[0].to_dict()


def cents(x) -> str:
    return f"{Decimal(repr(float(x))):.2f}"


def codes(result) -> list[str]:
    return sorted(f.code for f in result.findings)


# --- the hand-worked examples ------------------------------------------------------------------


def test_marginal_across_two_bands_in_one_month():
    # Y = 10,000/month; bands 0-100% at 2%, 100%+ at 5%.
    # Jan: B = 8,000.25 -> 2% = 160.005 -> 160.01 (half away from zero).
    # Feb: B = 23,000.25, Y = 20,000: 2% x 20,000 = 400 + 5% x 3,000.25 = 150.0125 -> 550.0125 -> 550.01;
    #      payment 550.01 - 160.01 = 390.00.
    args = dict(
        k=contracts(("K1", "2026-01-03", "E1", "Std", 50000.0)),
        c=collections(("R1", "2026-01-20", "K1", 8000.25), ("R2", "2026-02-15", "K1", 15000.0)),
        p=plan(("E1", "Collection", 10000.0)), r=roster(("E1", "M")),
        rp=royalty_plans(("M", "Collected", "Marginal", 0.0, None)),
        t=tiers(("M", 0.0, 1.0, 0.02), ("M", 1.0, None, 0.05)),
    )
    jan = line(run("2026-01", **args), "E1")
    assert cents(jan["ytd_royalty"]) == "160.01" and cents(jan["payment"]) == "160.01"
    feb_result = run("2026-02", **args)
    feb = line(feb_result, "E1")
    assert cents(feb["ytd_base"]) == "23000.25"
    assert cents(feb["ytd_target"]) == "20000.00"
    assert cents(feb["ytd_royalty"]) == "550.01"
    assert cents(feb["previous_ytd_royalty"]) == "160.01"
    assert cents(feb["payment"]) == "390.00"
    assert not feb["clawback"]
    assert feb["tier_rate"] == 0.05  # c = 115%: the top band reached
    bands = feb_result.bands[feb_result.bands["employee_id"] == "E1"]
    assert [cents(x) for x in bands["band_base"]] == ["20000.00", "3000.25"]
    assert [cents(x) for x in bands["band_amount"]] == ["400.00", "150.01"]
    assert feb_result.findings == []


def test_retroactive_jump_with_catch_up():
    # tiers 0-80% 1%, 80-100% 2%, 100%+ 3%; Y = 10,000/month.
    # Jan 7,000 (c 70%) -> 70.00; Feb B 18,000 (c 90%) -> 360.00, payment 290.00 (the catch-up);
    # Mar B 31,000 (c 103.33%) -> 930.00, payment 570.00.
    args = dict(
        k=contracts(("K1", "2025-11-03", "E1", "Std", 90000.0)),
        c=collections(("R1", "2026-01-10", "K1", 7000.0), ("R2", "2026-02-10", "K1", 11000.0),
                      ("R3", "2026-03-10", "K1", 13000.0)),
        p=plan(("E1", "Collection", 10000.0)), r=roster(("E1", "R")),
        rp=royalty_plans(("R", "Collected", "Retroactive", 0.0, None)),
        t=tiers(("R", 0.0, 0.8, 0.01), ("R", 0.8, 1.0, 0.02), ("R", 1.0, None, 0.03)),
    )
    got = [(cents(line(run(f"2026-0{m}", **args), "E1")["ytd_royalty"]),
            cents(line(run(f"2026-0{m}", **args), "E1")["payment"])) for m in (1, 2, 3)]
    assert got == [("70.00", "70.00"), ("360.00", "290.00"), ("930.00", "570.00")]
    feb = run("2026-02", **args)
    assert line(feb, "E1")["tier_rate"] == 0.02
    applied = feb.bands[feb.bands["applied"]]
    assert applied["rate"].tolist() == [0.02] and cents(applied["band_base"].iloc[0]) == "18000.00"


def test_retroactive_exact_boundary_is_the_upper_tier():
    # c = 80,000 / 100,000 = 80% exactly -> the 80-100% tier (From <= c < To).
    res = run("2026-01", k=contracts(("K1", "2026-01-05", "E1", "Std", 80000.0)),
              p=plan(("E1", "Signing", 100000.0)), r=roster(("E1", "S")),
              rp=royalty_plans(("S", "Signed", "Retroactive", 0.0, None)),
              t=tiers(("S", 0.0, 0.8, 0.01), ("S", 0.8, 1.0, 0.02)))
    assert cents(line(res, "E1")["ytd_royalty"]) == "1600.00"


def test_overlapping_tiers_the_highest_from_wins_and_of_two_the_first():
    # c = 8,000 / 10,000 = 80% lies in all three tiers; the highest From (50%) wins, and of the two tiers from 50%
    # the first listed pays: E1 (Retroactive) 8,000 x 2% = 160.00. E2's c = 30% lies only in the 0% tier: 1% of
    # 3,000 = 30.00. E3 has no receipt: B = 0, nothing applied and no tier rate beyond the 0% tier's.
    res = run("2026-01",
              k=contracts(("K1", "2026-01-05", "E1", "Std", 9000.0), ("K2", "2026-01-06", "E2", "Std", 9000.0)),
              c=collections(("R1", "2026-01-20", "K1", 8000.0), ("R2", "2026-01-21", "K2", 3000.0)),
              p=plan(("E1", "Collection", 10000.0), ("E2", "Collection", 10000.0), ("E3", "Collection", 10000.0)),
              r=roster(("E1", "O"), ("E2", "O"), ("E3", "O")),
              rp=royalty_plans(("O", "Collected", "Retroactive", 0.0, None)),
              t=tiers(("O", 0.0, None, 0.01), ("O", 0.5, None, 0.02), ("O", 0.5, 1.5, 0.03)))
    assert [(e, cents(line(res, e)["ytd_royalty"]), line(res, e)["tier_rate"]) for e in ("E1", "E2")] == [
        ("E1", "160.00", 0.02), ("E2", "30.00", 0.01)]
    applied = res.bands[res.bands["applied"]]
    assert applied[["employee_id", "rate"]].values.tolist() == [["E1", 0.02], ["E2", 0.01]]
    assert line(res, "E3")["reason"] == "no-base" and cents(line(res, "E3")["ytd_royalty"]) == "0.00"


def test_gate_crossed_mid_year_and_fall_back_below_it():
    # Signed basis, gate 50%, one unbounded band at 4%; Y = 100,000/month.
    # Jan 30,000 (30%) and Feb 90,000 (45%) are below the gate -> 0; Mar 170,000 of 300,000 (56.67%)
    # -> 4% x 170,000 = 6,800.00 paid in March; Apr nothing signed: 170,000 of 400,000 (42.5%) is
    # below the gate again, R = 0 and the 6,800.00 is clawed back.
    args = dict(
        k=contracts(("K1", "2026-01-05", "E1", "Std", 30000.0), ("K2", "2026-02-05", "E1", "Std", 60000.0),
                    ("K3", "2026-03-05", "E1", "Std", 80000.0)),
        p=plan(("E1", "Signing", 100000.0)), r=roster(("E1", "G")),
        rp=royalty_plans(("G", "Signed", "Marginal", 0.5, None)), t=tiers(("G", 0.0, None, 0.04)),
    )
    pays = {m: line(run(f"2026-0{m}", **args), "E1") for m in (1, 2, 3, 4)}
    assert [cents(pays[m]["payment"]) for m in (1, 2, 3, 4)] == ["0.00", "0.00", "6800.00", "-6800.00"]
    assert pays[2]["reason"] == "below-gate" and pays[3]["reason"] == "ok"
    assert pays[4]["clawback"] and not pays[3]["clawback"]
    res = run("2026-03", **args)
    gate = [i for i in res.trace("E1") if i["kind"] == "gate"][0]
    assert gate == {"kind": "gate", "gate": 0.5, "completion": 0.566667, "passed": True}
    sched = payment_schedule(args["k"], collections(), args["p"], args["r"], args["rp"], args["t"], LINES, "2026-04")
    assert sched["royalty"].tolist() == [0.0, 0.0, 6800.0, -6800.0]


def test_cap_reached():
    # Retroactive 5% flat, cap 5,000; Y = 50,000/month.
    # Jan 60,000 -> 3,000.00; Feb 110,000 -> 5,500 uncapped, 5,000.00 capped (payment 2,000.00);
    # Mar 150,000 -> 7,500 uncapped, still 5,000.00 (payment 0.00).
    args = dict(
        k=contracts(("K1", "2026-01-02", "E1", "Std", 500000.0)),
        c=collections(("R1", "2026-01-10", "K1", 60000.0), ("R2", "2026-02-10", "K1", 50000.0),
                      ("R3", "2026-03-10", "K1", 40000.0)),
        p=plan(("E1", "Collection", 50000.0)), r=roster(("E1", "C")),
        rp=royalty_plans(("C", "Collected", "Retroactive", 0.0, 5000.0)), t=tiers(("C", 0.0, None, 0.05)),
    )
    feb, mar = line(run("2026-02", **args), "E1"), line(run("2026-03", **args), "E1")
    assert (cents(feb["ytd_royalty_uncapped"]), cents(feb["ytd_royalty"]), cents(feb["payment"])) == (
        "5500.00", "5000.00", "2000.00")
    assert feb["reason"] == "capped"
    assert (cents(mar["ytd_royalty_uncapped"]), cents(mar["ytd_royalty"]), cents(mar["payment"])) == (
        "7500.00", "5000.00", "0.00")
    cap = [i for i in run("2026-02", **args).trace("E1") if i["kind"] == "cap"][0]
    assert cap == {"kind": "cap", "cap": "5000.00", "capped": True}


def test_refund_causes_a_clawback():
    # Retroactive 0-100% 2%, 100%+ 4%; Y = 10,000/month. Jan 12,000 (120%) -> 480.00.
    # Feb refund -5,000: B 7,000 of 20,000 (35%) -> 140.00; payment -340.00, a clawback.
    res = run("2026-02", k=contracts(("K1", "2026-01-02", "E1", "Std", 30000.0)),
              c=collections(("R1", "2026-01-10", "K1", 12000.0), ("R2", "2026-02-10", "K1", -5000.0)),
              p=plan(("E1", "Collection", 10000.0)), r=roster(("E1", "R")),
              rp=royalty_plans(("R", "Collected", "Retroactive", 0.0, None)),
              t=tiers(("R", 0.0, 1.0, 0.02), ("R", 1.0, None, 0.04)))
    feb = line(res, "E1")
    assert (cents(feb["previous_ytd_royalty"]), cents(feb["ytd_royalty"]), cents(feb["payment"])) == (
        "480.00", "140.00", "-340.00")
    assert feb["clawback"]
    totals = res.totals()
    assert totals["clawbacks"] == 1 and totals["clawback_amount"] == Decimal("340.00")
    assert codes(res) == ["royalty-clawback"]
    refund = [i for i in res.trace("E1") if i.get("receipt_no") == "R2"][0]
    assert refund["amount"] == "-5000.00" and refund["credited"] == "-5000.00" and refund["in_period"]
    doc = res.to_dict()
    assert doc["royalties"][0]["payment"] == "-340.00" and doc["royalties"][0]["clawback"] is True


def test_split_contract():
    # 1,000.01 received on a contract split 33.3% to E2: E1 credited 667.00667, E2 333.00333;
    # flat 10%: E1 66.700667 -> 66.70, E2 33.300333 -> 33.30.
    res = run("2026-01", k=contracts(("K1", "2026-01-02", "E1", "Std", 5000.0, "E2", 0.333)),
              c=collections(("R1", "2026-01-10", "K1", 1000.01)),
              p=plan(("E1", "Collection", 500.0), ("E2", "Collection", 500.0)), r=roster(("E1", "F"), ("E2", "F")),
              rp=royalty_plans(("F", "Collected", "Marginal", 0.0, None)), t=tiers(("F", 0.0, None, 0.10)))
    assert cents(line(res, "E1")["ytd_royalty"]) == "66.70"
    assert cents(line(res, "E2")["ytd_royalty"]) == "33.30"
    e2 = [i for i in res.trace("E2") if i["kind"] == "receipt"]
    assert e2 == [{"kind": "receipt", "date": "2026-01-10", "receipt_no": "R1", "contract_no": "K1",
                   "product_line": "Std", "amount": "1000.01", "share": 0.333, "factor": 1.0, "credited": "333.00",
                   "weighted": "333.00", "in_period": True}]


def test_product_line_factors():
    # Marginal 0-100% 2%, 100%+ 4%; Y = 100,000 (January). Hardware 80,000 x 0.5, Service 40,000 x 1.5:
    # B = 120,000, T = 2,000 + 800 = 2,800; weighted base 100,000; R = 100,000 x 2,800 / 120,000 = 2,333.33.
    res = run("2026-01", k=contracts(("K1", "2026-01-02", "E1", "Hardware", 80000.0),
                                    ("K2", "2026-01-03", "E1", "Service", 40000.0)),
              c=collections(("R1", "2026-01-10", "K1", 80000.0), ("R2", "2026-01-11", "K2", 40000.0)),
              p=plan(("E1", "Collection", 100000.0)), r=roster(("E1", "F")),
              rp=royalty_plans(("F", "Collected", "Marginal", 0.0, None)),
              t=tiers(("F", 0.0, 1.0, 0.02), ("F", 1.0, None, 0.04)))
    e1 = line(res, "E1")
    assert cents(e1["ytd_royalty"]) == "2333.33"
    assert cents(e1["weighted_base"]) == "100000.00"
    assert [(i["factor"], i["weighted"]) for i in res.trace("E1") if i["kind"] == "receipt"] == [
        (0.5, "40000.00"), (1.5, "60000.00")]


def test_unknown_product_line_counts_with_factor_one_and_a_warning():
    res = run("2026-01", k=contracts(("K1", "2026-01-02", "E1", "Gadgets", 10000.0)),
              c=collections(("R1", "2026-01-10", "K1", 10000.0)),
              p=plan(("E1", "Collection", 10000.0)), r=roster(("E1", "F")),
              rp=royalty_plans(("F", "Collected", "Marginal", 0.0, None)), t=tiers(("F", 0.0, None, 0.01)))
    assert cents(line(res, "E1")["ytd_royalty"]) == "100.00"
    assert codes(res) == ["royalty-unknown-product-line"]
    assert res.findings[0].value == "Gadgets"


def test_zero_target_pays_nothing_and_warns():
    # E1's Collection target is 0 every month, E2 has no Plan row at all: both earn 0 on 10,000 received.
    res = run("2026-03", k=contracts(("K1", "2026-01-02", "E1", "Std", 20000.0),
                                    ("K2", "2026-01-02", "E2", "Std", 20000.0)),
              c=collections(("R1", "2026-03-10", "K1", 10000.0), ("R2", "2026-03-10", "K2", 10000.0)),
              p=plan(("E1", "Collection", 0.0), ("E2", "Signing", 1000.0)), r=roster(("E1", "F"), ("E2", "F")),
              rp=royalty_plans(("F", "Collected", "Marginal", 0.0, None)), t=tiers(("F", 0.0, None, 0.05)))
    for emp in ("E1", "E2"):
        row = line(res, emp)
        assert cents(row["ytd_royalty"]) == "0.00" and row["reason"] == "no-target"
        assert pd.isna(row["completion"])
    assert codes(res) == ["royalty-no-target", "royalty-no-target"]
    assert res.to_dict()["royalties"][0]["completion"] is None
    assert "Collection" in res.findings[0].message("en") and "回款" in res.findings[0].message("zh")


def test_payment_is_true_up_of_rounded_ytd_amounts():
    # Three months of 1,000.25 at 1%: R = 10.0025, 20.005, 30.0075 -> 10.00, 20.01, 30.01;
    # payments 10.00, 10.01, 10.00 add up to round(R_3) = 30.01 exactly (not to 3 x round(10.0025)).
    args = dict(
        k=contracts(("K1", "2026-01-02", "E1", "Std", 9000.0)),
        c=collections(*[(f"R{m}", f"2026-0{m}-10", "K1", 1000.25) for m in (1, 2, 3)]),
        p=plan(("E1", "Collection", 1000.0)), r=roster(("E1", "F")),
        rp=royalty_plans(("F", "Collected", "Marginal", 0.0, None)), t=tiers(("F", 0.0, None, 0.01)),
    )
    pays = [cents(line(run(f"2026-0{m}", **args), "E1")["payment"]) for m in (1, 2, 3)]
    assert pays == ["10.00", "10.01", "10.00"]


def test_data_after_the_period_and_before_the_year_is_ignored():
    res = run("2026-02", k=contracts(("K1", "2025-06-02", "E1", "Std", 9000.0)),
              c=collections(("R0", "2025-12-30", "K1", 5000.0), ("R1", "2026-02-28", "K1", 1000.0),
                            ("R2", "2026-03-01", "K1", 2000.0)),
              p=plan(("E1", "Collection", 1000.0)), r=roster(("E1", "F")),
              rp=royalty_plans(("F", "Collected", "Marginal", 0.0, None)), t=tiers(("F", 0.0, None, 0.01)))
    assert cents(line(res, "E1")["ytd_base"]) == "1000.00"
    assert res.contributions["receipt_no"].tolist() == ["R1"]


def test_unreliable_inputs_are_findings_not_silence():
    # R9 names a contract that does not exist; K2 credits X9 (not on the Roster); E3 has business but
    # no plan; E4's plan is not in Royalty Plans; plan "Bare" has no tiers.
    res = run("2026-01",
              k=contracts(("K1", "2026-01-02", "E1", "Std", 9000.0, "X9", 0.5),
                          ("K3", "2026-01-02", "E3", "Std", 100.0)),
              c=collections(("R1", "2026-01-10", "K1", 1000.0), ("R9", "2026-01-11", "K404", 500.0)),
              p=plan(("E1", "Collection", 1000.0)),
              r=roster(("E1", "F"), ("E3", None), ("E4", "Nope"), ("E5", "Bare")),
              rp=royalty_plans(("F", "Collected", "Marginal", 0.0, None), ("Bare", "Signed", "Marginal", 0.0, None)),
              t=tiers(("F", 0.0, None, 0.01)))
    got = {f.code: f for f in res.findings if f.code != "royalty-no-target"}
    assert set(got) == {"royalty-unknown-contract", "royalty-unknown-employee", "royalty-no-plan",
                        "royalty-unknown-plan", "royalty-no-tiers"}
    assert got["royalty-unknown-contract"].row == 3 and got["royalty-unknown-contract"].value == "K404"
    assert got["royalty-unknown-employee"].value == "X9" and got["royalty-unknown-employee"].row == 2
    assert got["royalty-unknown-employee"].column == "Split Employee ID"
    assert got["royalty-no-plan"].value == "E3" and "Signed 100.00" in got["royalty-no-plan"].message()
    assert got["royalty-unknown-plan"].value == "Nope"
    assert got["royalty-no-tiers"].value == "Bare"
    assert cents(line(res, "E1")["ytd_base"]) == "500.00"  # half of R1; R9 earns nothing
    assert set(res.lines["employee_id"]) == {"E1", "E5"}
    for f in res.findings:
        assert f.message("en") and f.message("zh")


def test_totals_are_the_sum_of_lines_and_json_money_is_text():
    res = run("2026-02", k=contracts(("K1", "2026-01-02", "E1", "Std", 9000.0),
                                    ("K2", "2026-01-02", "E2", "Std", 9000.0)),
              c=collections(("R1", "2026-01-10", "K1", 3333.33), ("R2", "2026-02-10", "K2", 1234.56),
                            ("R3", "2026-02-11", "K1", -1000.0)),
              p=plan(("E1", "Collection", 1000.0), ("E2", "Collection", 1000.0)), r=roster(("E1", "F"), ("E2", "F")),
              rp=royalty_plans(("F", "Collected", "Marginal", 0.0, None)), t=tiers(("F", 0.0, None, 0.015)))
    doc = res.to_dict()
    assert doc["period"] == "2026-02"
    assert set(doc["royalties"][0]) == {"employee_id", "name", "department", "plan", "basis", "method", "ytd_base",
                                        "ytd_target", "completion", "tier_rate", "ytd_royalty_uncapped", "ytd_royalty",
                                        "previous_ytd_royalty", "payment", "clawback", "status", "trace"}
    # E1: 2,333.33 x 1.5% = 34.99995 -> 35.00, previous 49.99995 -> 50.00, payment -15.00; E2: 18.5184 -> 18.52
    assert [(r["employee_id"], r["ytd_royalty"], r["payment"]) for r in doc["royalties"]] == [
        ("E1", "35.00", "-15.00"), ("E2", "18.52", "18.52")]
    assert doc["totals"]["payment"] == "3.52" and doc["totals"]["ytd_royalty"] == "53.52"
    assert doc["totals"]["previous_ytd_royalty"] == "50.00" and doc["totals"]["clawback_amount"] == "15.00"


@pytest.mark.parametrize("bad", ["2026-13", "2026/01", "", "Jan 2026"])
def test_bad_period_is_a_toolkit_error(bad):
    with pytest.raises(ToolkitError) as err:
        run(bad, k=contracts(), p=plan(), r=roster(), rp=royalty_plans(), t=tiers())
    assert repr(bad) in err.value.message("en")


def test_empty_inputs_give_empty_result():
    res = run("2026-05", k=contracts(), p=plan(), r=roster(), rp=royalty_plans(), t=tiers())
    assert len(res.lines) == 0 and res.findings == []
    assert res.to_dict()["totals"]["payment"] == "0.00"
    assert res.to_dict()["totals"]["clawback_amount"] == "0.00"


def test_segment_runs_are_kept_in_the_memo_given_not_in_the_module(monkeypatch):
    # the month-independent segment runs are kept on the ledger's memo (DESIGN: no globals in core): the same
    # input objects and memo compute them once; another memo (another ledger), a new roster object or no memo
    # compute them again; every way gives the same royalties
    calls = []
    real = R._compute_segment_runs
    monkeypatch.setattr(R, "_compute_segment_runs", lambda *a: calls.append(a[-1]) or real(*a))
    args = dict(k=contracts(("K1", "2026-01-03", "E1", "Std", 50000.0)),
                c=collections(("R1", "2026-01-20", "K1", 8000.25), ("R2", "2026-02-15", "K1", 15000.0)),
                p=plan(("E1", "Collection", 10000.0)), r=roster(("E1", "M")),
                rp=royalty_plans(("M", "Collected", "Marginal", 0.0, None)),
                t=tiers(("M", 0.0, 1.0, 0.02), ("M", 1.0, None, 0.05)))
    frames = (args["k"], args["c"], args["p"], args["r"], args["rp"], args["t"], LINES)
    memo: dict = {}
    feb = royalties(*frames, "2026-02", memo=memo)
    royalties(*frames, "2026-01", memo=memo)
    payment_schedule(*frames, "2026-02", memo=memo)
    assert calls == [2026]
    royalties(*frames, "2026-02", memo={})
    assert calls == [2026, 2026]
    royalties(*frames[:3], args["r"].copy(), *frames[4:], "2026-02", memo=memo)
    assert calls == [2026] * 3
    plain = royalties(*frames, "2026-02")
    royalties(*frames, "2026-02")
    assert calls == [2026] * 5
    pd.testing.assert_frame_equal(feb.lines, plain.lines)
    assert cents(line(feb, "E1")["ytd_royalty"]) == "550.01"
    assert not [name for name, value in vars(R).items() if isinstance(value, (list, dict)) and "MEMO" in name]


def _unversioned(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=["valid_from"], errors="ignore")


def test_a_year_nothing_cuts_gives_the_runs_the_month_by_month_path_gives():
    """``_whole_year`` (one run per person when no Roster Change of a plan and no Valid From can cut a year) is
    exactly what the general month-by-month path gives — values, dtypes, order — for people on a known plan, on a
    plan without tiers, on an unknown plan, without a plan, and listed twice; and it stands aside (None) when a
    Valid From or a Roster Change of a plan could cut the year."""
    year_rows = ledger_year.standards_rows()
    people = roster(("E3", "P"), ("E1", "Q"), ("E2", "NOPE"), ("E4", None), ("E1", "P"), ("E0", "P"))
    plans = royalty_plans(("P", "Collected", "Marginal", 0.5, None), ("Q", "Signed", "Retroactive", 0.0, 1000.0))
    cases = [
        (people, plans, tiers(("P", 0.0, 1.0, 0.01), ("P", 1.0, None, 0.02))),  # Q has no tiers
        (people, plans, tiers(("P", 0.0, None, 0.01), ("Q", 0.0, None, 0.03))),  # everyone's plan tiered
        (roster(("E1", "P"), ("E2", "P")), plans, tiers(("P", 0.0, None, 0.01))),  # every row found: int64 versions
        tuple(_unversioned(typed(STANDARDS.table(k), year_rows[k])) for k in ("Roster", "RoyaltyPlans", "RoyaltyTiers")),
    ]
    # a Roster Change of a plan for someone on no Roster: nobody's plan changes, yet the general path is taken
    ghost = pd.DataFrame({"employee_id": ["NOBODY"], "effective_from": [pd.Timestamp("2026-07-01")],
                          "royalty_plan": ["P"]})
    for who, pl, ti in cases:
        p = R._text(who["royalty_plan"])
        monthly = pd.DataFrame({"employee_id": R._text(who["employee_id"]), "plan": R._text(p.where(p.notna(), ""))})
        monthly = monthly.merge(pd.DataFrame({"m": list(range(1, 13))}), how="cross").drop_duplicates(["employee_id", "m"])
        whole = R._whole_year(monthly, None, pl, ti)
        assert whole is not None
        pd.testing.assert_frame_equal(whole, R._runs_by_month(monthly, pl, ti, 2026), check_exact=True)
        pd.testing.assert_frame_equal(R._compute_segment_runs(who, None, pl, ti, 2026),
                                      R._compute_segment_runs(who, ghost, pl, ti, 2026), check_exact=True)
    versioned = tiers(("P", 0.0, None, 0.01)).assign(valid_from=pd.Timestamp("2026-07-01"))
    change = pd.DataFrame({"employee_id": ["E1"], "effective_from": [pd.Timestamp("2026-07-01")], "royalty_plan": ["Q"]})
    assert R._whole_year(monthly, None, plans, versioned) is None
    assert R._whole_year(monthly, change, plans, ti) is None


def _month_cases() -> list[tuple]:
    """(staff, contributions, grouped Plan, tier rows, month) as ``royalties`` evaluates them: the sample's ledger
    every month, and a year cut in segments (a Roster Change of plan in May, a tier version from July; a cap)."""
    led = ledger()
    frames = R._ledger_frames(led)
    sample_plan = R.grouped_plan(employed_plan(frames[2], frames[3], 2026))
    cases = []
    for m in range(1, 13):
        staff, contrib, _ = R._prepare(*frames[:2], *frames[3:], 2026, m, False, R._changes(led))
        cases.append((staff, contrib, sample_plan, R.tier_rows(R.versioned_tiers(frames[5])), m))
    k = contracts(("K1", "2026-01-10", "E1", "Std", 30000.0), ("K2", "2026-03-03", "E2", "Hardware", 90000.0, "E1", 0.5),
                  ("K3", "2026-06-15", "E1", "Service", 40000.0), ("K4", "2026-08-01", "E3", "Std", 25000.0, "E2", 0.333),
                  ("K5", "2026-09-09", "E1", "Std", 70000.0))
    c = collections(("R1", "2026-02-01", "K1", 20000.0), ("R2", "2026-04-01", "K2", 50000.0),
                    ("R3", "2026-07-20", "K3", 40000.0), ("R4", "2026-08-10", "K1", -5000.0),
                    ("R5", "2026-10-01", "K5", 70000.0), ("R6", "2026-09-02", "K4", 25000.0))
    people = roster(("E1", "P"), ("E2", "Q"), ("E3", "P"), ("E4", None))
    plans = royalty_plans(("P", "Collected", "Marginal", 0.5, None), ("Q", "Signed", "Retroactive", 0.0, 1500.0))
    ti = pd.concat([tiers(("P", 0.0, 1.0, 0.01), ("P", 1.0, None, 0.02), ("Q", 0.0, 0.5, 0.01), ("Q", 0.4, None, 0.03)),
                    tiers(("P", 0.0, 0.8, 0.02), ("P", 0.8, None, 0.04)).assign(valid_from=pd.Timestamp("2026-07-01"))],
                   ignore_index=True)
    change = pd.DataFrame({"employee_id": ["E1"], "effective_from": [pd.Timestamp("2026-05-01")],
                           "royalty_plan": ["Q"]})
    targets = R.grouped_plan(plan(*[(e, ind, 10000.0) for e in ("E1", "E2", "E3") for ind in ("Collection", "Signing")]))
    for m in (2, 5, 8, 12):
        staff, contrib, _ = R._prepare(k, c, people, plans, ti, LINES, 2026, m, False, change)
        cases.append((staff, contrib, targets, R.tier_rows(R.versioned_tiers(ti)), m))
    return cases


def test_a_months_total_on_arrays_is_evaluates_total_to_the_bit():
    """``month_end_royalty`` (the payment schedule's months, through ``ytd_cents``) gives exactly ``evaluate``'s
    employee_id and unrounded R, in its order, on the sample's ledger every month and on a year cut in segments
    (people with two segments begun: the group sums), for the month and the rows of the month before; its bands are
    the rows ``evaluate_segments``' merge gives, in the same order."""
    split = 0
    for staff, contrib, targets, tier_rows, month in _month_cases():
        for q in range(max(1, month - 1), month + 1):
            rows = contrib[(contrib["date"] < R.month_end(2026, q)).to_numpy()]
            want = R.evaluate(staff, rows, targets, tier_rows, q)[0][["employee_id", "ytd_royalty_exact"]]
            pd.testing.assert_frame_equal(R.month_end_royalty(staff, rows, targets, tier_rows, q), want,
                                          check_exact=True)
            segs = R._segments_of(staff, q)
            split += bool(segs["employee_id"].duplicated().any())
            merged = segs[["_k", "terms"]].merge(tier_rows.assign(_j=range(len(tier_rows)))[["terms", "_j"]],
                                                 on="terms", how="inner")
            bk, tj = R._band_rows(segs["terms"].to_numpy(dtype=object), tier_rows["terms"].to_numpy(dtype=object))
            assert bk.tolist() == merged["_k"].tolist() and tj.tolist() == merged["_j"].tolist()
    assert split >= 3  # the segmented year's later months


def test_blanks_on_object_values_are_pandas_blanks():
    """``_text``'s blank test on a short column's object values gives what pandas' comparison gives, on the sample's
    text columns with blanks put in."""
    led = ledger()
    for frame in (led.tables["Contracts"], led.tables["Collections"], led.standard("Roster")):
        for name in frame.columns:
            text = frame[name].astype("str")
            text = text.mask(pd.Series(range(len(text)), index=text.index) % 7 == 3, "")
            assert R._blanks(text, True).tolist() == R._blanks(text, False).tolist(), name
            assert R._blanks(text, True).any()


def test_the_plan_findings_without_frames_are_staff_plans_findings():
    """``staff_segments`` finds unknown plans and plans without tiers with sets (``_plan_findings``): the same
    findings, in the same order, as ``staff_plans``' frames and merge — on the sample's standards and on a Roster with
    an unknown plan, a plan without tiers, a plan of an invalid basis, a person listed twice (the first row counts)
    and a row without an id."""
    led = ledger()
    people = roster(("E3", "P"), ("E1", "Q"), ("E2", "NOPE"), ("E4", None), ("E4", "P"), ("E1", "BAD"), (None, "NOPE"),
                    ("E5", "BAD"), ("E6", "Q"), ("E7", "NOPE2"))
    plans = royalty_plans(("P", "Collected", "Marginal", 0.5, None), ("Q", "Signed", "Retroactive", 0.0, 1000.0),
                          ("BAD", "Invoiced", "Marginal", 0.0, None), ("P", "Signed", "Retroactive", 0.0, None))
    cases = [(led.standard("Roster"), led.standard("RoyaltyPlans"), led.standard("RoyaltyTiers")),
             (people, plans, tiers(("P", 0.0, None, 0.01))), (people, plans, tiers(("Q", 0.0, None, 0.01)))]
    seen = set()
    for who, pl, ti in cases:
        want: list = []
        R.staff_plans(who, pl, ti, want)
        got: list = []
        R._plan_findings(R._text(who["employee_id"]), R._text(who["royalty_plan"]), pl, ti, got)
        assert [f.to_dict("en") for f in got] == [f.to_dict("en") for f in want]
        seen |= {f.code for f in want}
    assert seen == {"royalty-unknown-plan", "royalty-no-tiers"}


def test_a_plan_read_as_numbers_groups_as_one_converted():
    """``grouped_plan`` skips ``to_numeric`` when the month columns are numbers already (as the reader gives them):
    the same frame as the sample's Plan with its months as text, converted."""
    plan_rows = ledger().tables["Plan"]
    as_text = plan_rows.astype({k: object for k in MONTH_KEYS})
    as_text[MONTH_KEYS[0]] = as_text[MONTH_KEYS[0]].map(lambda v: None if pd.isna(v) else repr(float(v)))
    pd.testing.assert_frame_equal(R.grouped_plan(plan_rows), R.grouped_plan(as_text), check_exact=True)
    assert R.grouped_plan(plan_rows)[list(MONTH_KEYS)].to_numpy().sum() > 0


def test_a_windows_credits_cut_from_the_years_are_the_windows_own():
    """``_credits_ytd`` with a memo cuts each month's window from the year's credits built once (``_year_credits``):
    the same frame — values, dtypes, order — as the window's own, every month of the sample's ledger and of a year
    with split contracts, a refund and no row in January (the empty window: built as ever); and the same royalties."""
    led = ledger()
    k = contracts(("K1", "2026-02-10", "E1", "Std", 30000.0), ("K2", "2026-03-03", "E2", "Hardware", 90000.0, "E1", 0.5),
                  ("K3", "2026-06-15", "E1", "Service", 40000.0), ("K4", "2026-08-01", "E3", "Std", 25000.0, "E2", 0.333))
    c = collections(("R1", "2026-02-20", "K1", 20000.0), ("R2", "2026-04-01", "K2", 50000.0),
                    ("R3", "2026-07-20", "K3", 40000.0), ("R4", "2026-08-10", "K1", -5000.0),
                    ("R5", "2025-12-30", "K2", 1000.0), ("R6", "2026-09-02", "K4", 25000.0))
    cut = 0
    for con, col in ((led.tables["Contracts"], led.tables["Collections"]), (k, c)):
        memo: dict = {}
        for m in range(1, 13):
            start, end = pd.Timestamp(2026, 1, 1), R.month_end(2026, m)
            cut += R._year_credits(con, col, start, end, memo) is not None
            pd.testing.assert_frame_equal(R._credits_ytd(con, col, start, end, memo), R._credits_ytd(con, col, start, end),
                                          check_exact=True)
        assert ("core.royalties.year_credits", 2026) in memo
    assert cut == 23  # every month but the empty January of the second year
    frames = R._ledger_frames(led)
    memo = {}
    for period in ("2026-03", "2026-10"):
        with_memo, plain = royalties(*frames, period, memo=memo), royalties(*frames, period)
        for name in ("lines", "contributions", "bands", "segments"):
            pd.testing.assert_frame_equal(getattr(with_memo, name), getattr(plain, name), check_exact=True)
        assert [f.to_dict("en") for f in with_memo.findings] == [f.to_dict("en") for f in plain.findings]
        pd.testing.assert_frame_equal(payment_schedule(*frames, period, memo=memo), payment_schedule(*frames, period),
                                      check_exact=True)
    # the tier rows and grouped Plan evaluated on (``_evaluated_terms``) were kept in the memo, not rebuilt
    assert ("core.royalties.tier_rows",) in memo and ("core.royalties.grouped_plan", 2026) in memo


def test_months_from_numpy_dates_are_pandas_months():
    """``_months`` (``_assign``'s month of each row, from NumPy's datetime64 values) gives pandas' months exactly: on
    the sample's contributions, and on dates before 1970, at the ends of months and years, missing, and held at other
    units; text dates go to pandas' reading."""
    frames = R._ledger_frames(ledger())
    _, contrib, _ = R._prepare(*frames[:2], *frames[3:], 2026, 10)
    odd = pd.Series(pd.to_datetime(["1969-12-31 23:59", "1969-01-01", "2026-01-31", "2026-12-31 23:59:59", None,
                                    "1900-02-28", "2099-11-30", "1970-01-01"], format="mixed"))
    cases = [contrib["date"], odd, odd.astype("datetime64[s]"), odd.astype("datetime64[us]"), odd.iloc[:0]]
    assert contrib["date"].dtype.kind == "M" and len(set(contrib["date"].dt.month)) > 6
    for dates in cases:
        got, want = R._months(dates), R._pandas_months(dates)
        assert got.dtype == want.dtype == np.float64
        np.testing.assert_array_equal(got, want)
    text = pd.Series(["2026-03-04", "not a date", None], dtype=object)
    np.testing.assert_array_equal(R._months(text), [3.0, np.nan, np.nan])
