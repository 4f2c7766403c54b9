"""Done when: every number in the rendered reports for the sample 2026-10 equals the commands' JSON (en and zh)."""

from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from output_books import book
from report_fixtures import PERIOD, SAMPLE, command_json, context, find_table, ledger
from toolkit.core.review import review
from toolkit.report.context import column_label
from toolkit.report.filters import money

pytestmark = pytest.mark.skipif(not (SAMPLE / "standards.xlsx").exists(), reason="sample workbooks missing")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self.in_svg = 0

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        self.in_svg += tag == "svg"

    def handle_endtag(self, tag):  # noqa: ANN001
        self.in_svg -= tag == "svg"

    def handle_data(self, data):  # noqa: ANN001
        if not self.in_svg and data.strip():
            self.cells.append(data.strip())


@pytest.fixture(scope="module", params=["en", "zh"])
def rendered(request, rendered_report):  # noqa: ANN001, ANN201
    lang = request.param
    paths = rendered_report(lang)  # rendered once per session (conftest), shared with test_report_html
    suffix = "-zh" if lang == "zh" else ""
    assert [p.name for p in paths] == [f"monthly-report-{PERIOD}{suffix}.{e}" for e in ("xlsx", "html", "md")]
    parser = _Text()
    parser.feed(paths[1].read_text(encoding="utf-8"))
    return lang, book(paths[0]), parser.cells, paths[2].read_text(encoding="utf-8")


def _d(x: object) -> Decimal:
    return Decimal(str(x)).quantize(Decimal("0.01"))


def _labels(lang: str, table: str) -> list[str]:
    return context(lang)["labels"][table]


def test_headline_and_department_completion_equal_completion_json(rendered) -> None:  # noqa: ANN001
    lang, wb, html, md = rendered
    rows = command_json("completion", lang)["rows"]
    company = {r["indicator"]: r for r in rows if r["level"] == "company"}
    _, _, _, head = find_table(wb, _labels(lang, "headline"))
    assert len(head) == 4
    for (ind, r), xrow in zip(company.items(), head):
        assert _d(xrow[1]) == _d(r["month_actual"]) and _d(xrow[7]) == _d(r["ytd_actual"])
        assert money(float(r["month_actual"])) in html and money(float(r["month_actual"])) in md
        assert round(xrow[8], 4) == r["ytd_completion"]
    _, _, _, dept = find_table(wb, _labels(lang, "completion_by_department"))
    json_rows = [r for r in rows if r["level"] != "employee"]
    assert len(dept) == len(json_rows)
    for xrow, r in zip(dept, json_rows):
        assert [_d(xrow[2]), _d(xrow[3]), _d(xrow[5]), _d(xrow[6])] == [
            _d(r["month_target"]), _d(r["month_actual"]), _d(r["ytd_target"]), _d(r["ytd_actual"])]
        assert money(float(r["ytd_actual"])) in html


def test_aging_and_fund_demand_equal_funds_json(rendered) -> None:  # noqa: ANN001
    lang, wb, html, md = rendered
    payload = command_json("funds", lang)
    _, _, _, aging = find_table(wb, _labels(lang, "aging"))
    assert len(aging) == len(payload["aging"])
    buckets = [c for c, _ in context(lang)["columns"]["aging"][1:]]
    assert buckets[-3] == "over_365" and buckets[-2:] == ["total", "overdue"]
    for xrow, r in zip(aging, payload["aging"]):
        assert [_d(v) for v in xrow[1:]] == [_d(r[b]) for b in buckets]
        assert all(money(float(r[b])) in html for b in buckets)
    _, _, _, demand = find_table(wb, _labels(lang, "fund_demand"))
    company = [r for r in payload["demand"] if r["level"] == "company"]
    cols = ["receivables_due", "expected_collections", "expected_spending", "planned_expense", "royalties_payable"]
    *months, total = demand  # the total row sums the months
    assert total[0] == ("合计" if lang == "zh" else "Total")
    assert [_d(v) if v is not None else None for v in total[1:3]] == [
        _d(sum(Decimal(r[c]) for r in company)) for c in cols[:2]]
    for xrow, r in zip(months, company, strict=True):
        assert xrow[0] == r["month"]
        assert [None if v is None else _d(v) for v in xrow[1:]] == [None if r[c] is None else _d(r[c]) for c in cols]
    overdue = {r["contract_no"]: r for r in payload["overdue"]}
    _, _, _, top = find_table(wb, _labels(lang, "overdue"))
    assert top and all(_d(x[7]) == _d(overdue[x[0]]["receivable"]) for x in top[:-1])
    assert _d(top[-1][7]) == sum(_d(x[7]) for x in top[:-1])  # the total row adds up the rows listed


def test_royalties_and_salary_equal_their_json(rendered) -> None:  # noqa: ANN001
    lang, wb, html, md = rendered
    roy = command_json("royalties", lang)
    _, _, _, lines = find_table(wb, _labels(lang, "royalties"))
    by_emp = {r["employee_id"]: r for r in roy["lines"]} if "lines" in roy else {
        r["employee_id"]: r for r in roy[next(k for k in roy if isinstance(roy[k], list) and roy[k]
                                              and "payment" in roy[k][0])]}
    *lines, total_row = lines
    assert len(lines) == len(by_emp)
    assert _d(total_row[9]) == sum(Decimal(r["payment"]) for r in by_emp.values())
    for x in lines:
        r = by_emp[x[0]]
        assert (_d(x[4]), _d(x[7]), _d(x[8]), _d(x[9])) == (
            _d(r["ytd_base"]), _d(r["ytd_royalty"]), _d(r["previous_ytd_royalty"]), _d(r["payment"]))
    total = sum(Decimal(r["payment"]) for r in by_emp.values())
    assert _d(context(lang)["headline"]["royalties_payable"]) == total
    assert money(float(total)) in html
    sal = command_json("salary", lang)
    _, _, _, pay = find_table(wb, _labels(lang, "floating_salary"))
    *pay, pay_total = pay
    assert _d(pay_total[7]) == _d(sal["totals"]["pay"])
    sal_rows = {r["employee_id"]: r for r in sal["salaries"]}
    assert len(pay) == len(sal_rows)
    assert all(_d(x[7]) == _d(sal_rows[x[0]]["pay"]) for x in pay)
    assert money(float(sal["totals"]["pay"])) in " ".join(html) and money(float(sal["totals"]["pay"])) in md


def test_forecast_equals_forecast_json(rendered) -> None:  # noqa: ANN001
    lang, wb, html, md = rendered
    payload = command_json("forecast", lang)
    _, _, _, fc = find_table(wb, _labels(lang, "forecast"))
    assert len(fc) == len(payload["series"])
    for x, s in zip(fc, payload["series"]):
        assert [_d(v) for v in x[4:7]] == [_d(f["value"]) for f in s["forecast"]]
        assert x[2] == s["history_months"] and x[1] == column_label(s["method"], lang) != s["method"]
        assert all(money(float(f["value"])) in html for f in s["forecast"])


def test_data_quality_section_lists_every_finding(rendered) -> None:  # noqa: ANN001
    lang, wb, html, md = rendered
    findings = command_json("completion", lang)["findings"]
    _, _, _, rows = find_table(wb, _labels(lang, "findings"))
    assert len(rows) >= len(findings) > 0
    messages = {r[6] for r in rows}
    assert {f["message"] for f in findings} <= messages
    assert any("North" in " ".join(map(str, r)) or "north" in str(r[2]) for r in rows)
    assert all(m in " ".join(html) for m in list(messages)[:5])


def test_zh_report_is_chinese() -> None:
    ctx = context("zh")
    assert ctx["labels"]["headline"][0] == "指标" and ctx["text"]["title"] == "营销月度报告"
    assert re.search(r"[\u4e00-\u9fff]", ctx["tables"]["headline"]["indicator"].iloc[0])


def test_spend_against_the_budget_by_category(rendered) -> None:  # noqa: ANN001
    """Issue 28: the expenses section shows each department's Budget sheet against its claims, per category: YTD
    budget = Σ Jan..Oct of the Budget rows, YTD spend = Σ approved and pending claims of 2026 to October, variance
    = spend − budget; every department's budget adds up to its Expense target to date (the Plan's)."""
    lang, wb, html, _ = rendered
    led = ledger()
    budget, ex = led.tables["Budget"], led.tables["Expenses"]
    months = [f"m{i:02d}" for i in range(1, 11)]
    counted = ex[(ex["approval"].isin(["Approved", "Pending"]) | ex["approval"].isna())
                 & (ex["date"] >= "2026-01-01") & (ex["date"] <= "2026-10-31")]
    names = {"Travel": ("Travel", "差旅"), "Advertising": ("Advertising", "广告"), "Meals": ("Meals", "餐费")}
    _, _, _, shown = find_table(wb, _labels(lang, "expenses_by_budget"))
    by_key = {(r[0], r[1]): r for r in shown}
    for dept in budget["department"].unique():
        for cat, label in names.items():
            rows = budget[(budget["department"] == dept) & (budget["category"] == cat)]
            want_budget = sum(_d(v) for v in rows[months].fillna(0.0).to_numpy().ravel())
            spent = counted[(counted["department"] == dept) & (counted["category"] == cat)]["amount"]
            want_spend = sum((_d(v) for v in spent), Decimal("0.00"))
            row = by_key[(dept, label[lang == "zh"])]
            assert (_d(row[4]), _d(row[5]), _d(row[6])) == (want_budget, want_spend, want_spend - want_budget)
            assert money(float(want_spend - want_budget)) in html
    per_dept = {d: sum(_d(r[4]) for k, r in by_key.items() if k[0] == d) for d in budget["department"].unique()}
    _, _, _, depts = find_table(wb, _labels(lang, "expenses_by_department"))
    # each department's Expense plan to date is its own workbook's Plan (the sample's transfer 华南 -> 西部 included)
    assert {r[0]: _d(r[4]) for r in depts if r[0] in per_dept} == per_dept  # = the Expense plan to date
    total = shown[-1]
    assert total[0] == ("合计" if lang == "zh" else "Total") and _d(total[4]) == sum(per_dept.values())


def _sample_by_workbook() -> tuple[dict, dict]:
    """Each department's YTD (Jan–Oct 2026) targets and Signing, Collection and Expense actuals, read from the sample's
    workbooks with openpyxl: the Plan rows of its own workbook (months outside a person's employment count 0), its
    own contracts, receipts and claims; a split share counts in the split person's department of the month (the
    Roster and its Roster Changes). Also each person's YTD targets over every workbook."""
    std = load_workbook(SAMPLE / "standards.xlsx", read_only=True, data_only=True)
    roster = {r[0]: r for r in list(std["Roster"].iter_rows(values_only=True))[1:] if r[0]}
    moves = [r for r in list(std["Roster Changes"].iter_rows(values_only=True))[1:] if r[0] and r[2]]

    def dept_of(emp: str, month: int) -> str:
        dept = roster[emp][2]
        for m in moves:  # a move on a month's first day counts from that month, else from the next
            if m[0] == emp and month >= m[1].month + (m[1].day != 1):
                dept = m[2]
        return dept

    def employed(emp: str, month: int) -> bool:
        start, leave = roster[emp][8], roster[emp][9]
        return (start is None or (start.year, start.month) <= (2026, month)) and \
            (leave is None or (leave.year, leave.month) >= (2026, month))

    kinds = {"Signing": "Signing", "签约": "Signing", "Collection": "Collection", "回款": "Collection",
             "Expense": "Expense", "费用": "Expense", "Profit": "Profit", "利润": "Profit"}
    counted = {None, "Approved", "Pending", "已批准", "待审批"}
    target: dict = {}
    actual: dict = {}
    person: dict = {}
    books, shares = {}, {}
    for path in sorted(SAMPLE.glob("dept-*.xlsx")):
        wb = load_workbook(path, read_only=True, data_only=True)
        sheets = [list(wb[s].iter_rows(values_only=True))[1:] for s in wb.sheetnames[:6]]
        books[sheets[0][0][1]] = sheets  # Info's first field: the department
        for c in sheets[3]:
            if c[0]:
                shares[c[0]] = (c[3], c[9], Decimal(str(c[10] or 0)) if c[9] else Decimal(0))

    def credit(dept: str, ind: str, when: object, no: str, amount: object) -> None:
        owner, split, share = shares[no]
        whole = Decimal(str(amount))
        actual[(dept, ind)] = actual.get((dept, ind), Decimal(0)) + whole * (1 - share)
        if split:
            key = (dept_of(split, when.month), ind)
            actual[key] = actual.get(key, Decimal(0)) + whole * share

    for dept, (_, plan, _, contracts, receipts, claims) in books.items():
        for r in plan:
            if r[0] and r[1] in kinds:
                ytd = sum(Decimal(str(v or 0)) for m, v in enumerate(r[2:12], 1) if employed(r[0], m))
                target[(dept, kinds[r[1]])] = target.get((dept, kinds[r[1]]), Decimal(0)) + ytd
                person[(r[0], kinds[r[1]])] = person.get((r[0], kinds[r[1]]), Decimal(0)) + ytd
        for c in contracts:
            if c[0] and c[1] is not None and c[1].year == 2026 and c[1].month <= 10:
                credit(dept, "Signing", c[1], c[0], c[5])
        for r in receipts:
            if r[0] and r[1] is not None and r[1].year == 2026 and r[1].month <= 10 and r[2] in shares:
                credit(dept, "Collection", r[1], r[2], r[3])
        for x in claims:
            if x[0] and x[1] is not None and x[1].year == 2026 and x[1].month <= 10 and x[9] in counted:
                actual[(dept, "Expense")] = actual.get((dept, "Expense"), Decimal(0)) + Decimal(str(x[6]))
    return {"target": target, "actual": actual}, person


def test_each_department_counts_its_own_workbook_and_the_company_their_sum() -> None:
    """Issue 23 item 4: a transfer (E3005, 华南 -> 西部 from July) counts in each department for the rows of its own
    workbook: every department's YTD targets and Signing, Collection and Expense actuals equal its workbook's rows
    (computed here from the files), the company equals the sum of the departments (nothing counted twice), and the
    transferee's own YTD target runs over both workbooks."""
    want, person = _sample_by_workbook()
    rows = command_json("completion", "en")["rows"]
    dept = {(r["key"], r["indicator"]): r for r in rows if r["level"] == "department"}
    assert {"华南", "西部"} <= {k[0] for k in dept}
    for key, value in want["target"].items():
        assert _d(dept[key]["ytd_target"]) == _d(value), key
    for key, value in want["actual"].items():
        assert _d(dept[key]["ytd_actual"]) == _d(value), key
    assert {k for k in want["target"]} == set(dept)
    company = {r["indicator"]: r for r in rows if r["level"] == "company"}
    for ind, r in company.items():
        for col in ("month_target", "month_actual", "ytd_target", "ytd_actual", "annual_target"):
            assert _d(r[col]) == sum(_d(d[col]) for k, d in dept.items() if k[1] == ind), (ind, col)
    mover = {r["indicator"]: r for r in rows if r["level"] == "employee" and r["key"] == "E3005"}
    for ind in ("Signing", "Collection", "Expense", "Profit"):
        assert _d(mover[ind]["ytd_target"]) == _d(person[("E3005", ind)])


def test_a_transferee_is_appraised_in_the_department_of_the_window() -> None:
    """The periodic appraisal shows E3005 in 华南 for Q2 and in 西部 for Q3 (the Roster Changes row of 1 July), and
    ranks them among that department's people."""
    led = ledger()
    for quarter, where in ((2, "华南"), (3, "西部")):
        lines = review(led, 2026, quarter, 10).lines
        mover = lines[lines["employee_id"] == "E3005"].iloc[0]
        assert mover["department"] == where, quarter
        peers = lines[(lines["department"] == where) & lines["score"].notna()]
        assert mover["department_rank"] == 1 + int((peers["score"] > mover["score"]).sum())
