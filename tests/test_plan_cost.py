"""The plan cost model against the month close's own engines run on real workbooks whose actuals equal the targets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from toolkit.core.appraisal import compute_appraisal
from toolkit.core.completion import compute_completion
from toolkit.core.royalties import compute_royalties, monthly_payments
from toolkit.errors import ToolkitError
from toolkit.io.templates import write_workbook
from toolkit.operations import plan_cost as C
from toolkit.operations.plan import draft_from_inputs, load_plan_inputs
from toolkit.core.planning import PlanRules
from toolkit.schema import DEPARTMENT
from toolkit.operations.source import Source


@pytest.fixture(scope="module")
def planned(sample_dir: Path):
    inputs = load_plan_inputs(Source([sample_dir], sample_dir / "standards.xlsx", force=True), 2027)
    draft, mix, cost = draft_from_inputs(inputs, PlanRules(2027, growth={"Signing": 0.1, "Collection": 0.08}))
    return inputs, draft, mix, cost


@pytest.fixture(scope="module")
def at_target(planned, sample_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """Department workbooks (real files) whose 2027 actuals are exactly the drafted targets, and their ledger."""
    inputs, draft, mix, _ = planned
    out = tmp_path_factory.mktemp("at-target")
    paths = []
    for i, (dept, frames) in enumerate(C.synthetic_frames(draft.rows, mix, 2027, 1.0).items()):
        paths.append(write_workbook(out / f"d{i}.xlsx", DEPARTMENT, "en", frames=frames,
                                    info={"department": dept, "year": 2027, "period": "2027-12"}))
    ledger = Source(paths, sample_dir / "standards.xlsx", force=True).ledger("2027-12")
    return paths, ledger


def test_the_workbooks_hold_actuals_equal_to_the_targets(at_target, planned) -> None:
    _, ledger = at_target
    rows = compute_completion(ledger, "2027-12", monthly_payments(ledger, "2027-12"))
    sales = rows[(rows["level"] == "employee") & rows["indicator"].isin(["Signing", "Collection", "Expense"])]
    sales = sales[sales["ytd_target"] > 0]
    assert len(sales) >= 3 * 24
    assert np.allclose(sales["ytd_completion"], 1.0, atol=0, rtol=1e-12)
    assert np.allclose(sales["ytd_actual"], sales["ytd_target"], atol=0.001)
    # the only error findings are expense-policy ones (one claim per month for the budget), which leave numbers alone
    assert {f.code for f in ledger.findings if f.severity == "error"} <= {"over-policy-limit", "receipt-missing"}


def test_cost_at_100_percent_is_what_the_royalty_engine_pays(at_target, planned) -> None:
    _, ledger = at_target
    _, _, _, cost = planned
    paid = compute_royalties(ledger, "2027-12").lines.set_index("employee_id")["ytd_royalty"]
    modelled = cost.at(1.0, "people").set_index("employee_id")["royalty"]
    assert (paid > 0).sum() >= 20
    pd.testing.assert_series_equal(modelled.reindex(paid.index).fillna(0.0), paid, check_names=False)
    pay = compute_appraisal(ledger, "2027-12").lines.set_index("employee_id")["pay"] * 12
    pd.testing.assert_series_equal(cost.at(1.0, "people").set_index("employee_id")["floating"].reindex(pay.index),
                                   pay, check_names=False)


def test_cost_levels_add_up_and_grow_with_attainment(planned) -> None:
    _, _, _, cost = planned
    assert cost.levels == (0.8, 1.0, 1.2)
    for level in cost.levels:
        people = cost.at(level, "people")
        depts = cost.at(level, "departments")
        company = cost.at(level).iloc[0]
        assert round(people["royalty"].sum(), 2) == round(depts["royalty"].sum(), 2) == company["royalty"]
        assert company["cost"] == pytest.approx(company["royalty"] + company["floating"], abs=0.005)
        assert company["cost_to_collection"] == pytest.approx(company["cost"] / company["collection"])
    royalty = [cost.at(level).iloc[0]["royalty"] for level in cost.levels]
    assert royalty == sorted(royalty) and royalty[0] < royalty[2]


def test_profit_targets_are_net_of_the_planned_royalties(planned) -> None:
    _, draft, mix, cost = planned
    inputs = planned[0]
    royalties = C.royalty_schedule(draft.rows, mix, inputs.standards, 2027)
    person = royalties.groupby("employee_id")["royalty"].sum().idxmax()
    rows = draft.rows[draft.rows["employee_id"] == person].set_index("indicator")
    margin = draft.margins[person]
    gross = margin * rows.loc["Collection", "annual"] - rows.loc["Expense", "annual"]
    net = gross - royalties[royalties["employee_id"] == person]["royalty"].sum()
    assert rows.loc["Profit", "annual"] == pytest.approx(net, abs=12 * 1000)  # months rounded to thousands
    assert abs(rows.loc["Profit", "annual"] - gross) > 12 * 1000


def test_level_parsing() -> None:
    assert C.parse_levels("80, 95%,100,120") == (0.8, 0.95, 1.0, 1.2)
    assert C.parse_levels(None) == C.DEFAULT_LEVELS
    for bad in ("x", "80;100", "-5", "5000"):
        with pytest.raises(ToolkitError, match="Attainment levels"):
            C.parse_levels(bad)


def test_cost_workbook_reads_back(planned, tmp_path: Path) -> None:
    from toolkit.outputs.plan import write_cost

    _, _, _, cost = planned
    path = write_cost(tmp_path / "cost.xlsx", cost, "zh")
    book = pd.read_excel(path, sheet_name=None, engine="calamine")
    assert list(book) == ["成本", "个人成本", "说明"]
    total = cost.departments["royalty"].sum() + cost.company["royalty"].sum()
    assert book["成本"]["提成"].sum() == pytest.approx(total)
