"""Issue 24: a department rejected at the close (the sample's North China) is "not computed" in every output:
named with the reason, never a 0.00 figure, never in a total, never graded. The test closes the sample month in
both languages and walks every file the close and the per-person commands write."""

from __future__ import annotations

import functools
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from output_books import book
from toolkit.operations.source import Source
from toolkit.cli.main import cli
from toolkit.operations.close_month import close_month
from toolkit.operations.closes import reclose_changes, reclose_totals
from toolkit.operations.history import employee_payments
from toolkit.operations.performance import write_performance_files
from toolkit.operations.statements import statements
from toolkit.store import open_store
from toolkit.i18n import MESSAGES
from toolkit.core import catalog  # noqa: F401  (registers the findings' words)
from toolkit.report import completeness, context  # noqa: F401  (register the report's words)

PERIOD = "2026-10"
LEFT_OUT = "North China"


def _left_out_people(sample: Path) -> tuple[set[str], set[str]]:
    """North China's employee ids and every spelling of its name, read from the sample's Roster."""
    people, names = _roster_of_left_out(sample)
    return set(people), set(names)


@functools.lru_cache(maxsize=2)  # the committed sample's Roster, read once for the module's tests
def _roster_of_left_out(sample: Path) -> tuple[frozenset[str], frozenset[str]]:
    ws = openpyxl.load_workbook(sample / "standards.xlsx", read_only=True)["Roster"]
    rows = list(ws.iter_rows(values_only=True))
    head = list(rows[0])
    dept, other, emp = head.index("Department"), head.index("Department (other language)"), head.index("Employee ID")
    people = {r[emp] for r in rows[1:] if r[dept] == LEFT_OUT}
    names = {LEFT_OUT} | {r[other] for r in rows[1:] if r[dept] == LEFT_OUT and r[other]}
    return frozenset(people), frozenset(names)


ZERO = re.compile(r"(?<![\d.,])-?0(?:\.0+)?%?(?![\d.,])")


def _is_zero_text(cell: str) -> bool:
    return bool(ZERO.fullmatch(cell.strip()))


def _mentions(values: list[str], people: set[str], names: set[str]) -> bool:
    return any(v.strip() in people or v.strip() in names for v in values)


class _Rows(HTMLParser):
    """The cell texts of every table row of an HTML file."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _walk_json(node, people, names, where, bad):
    if isinstance(node, dict):
        own = [str(node.get(k, "")) for k in ("key", "employee_id", "department")]
        if _mentions(own, people, names):
            if "status" in node and node["status"] == "computed":
                bad.append(f"{where}: {own} marked computed")
            for k, v in node.items():
                if k in ("rank", "employees", "trace"):
                    continue
                if isinstance(v, str) and re.fullmatch(r"-?0\.00", v) or (isinstance(v, (int, float))
                                                                         and not isinstance(v, bool) and v == 0):
                    bad.append(f"{where}: {own} {k}={v!r}")
        for k, v in node.items():
            _walk_json(v, people, names, f"{where}.{k}", bad)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _walk_json(v, people, names, f"{where}[{i}]", bad)


def _check_file(path: Path, people: set[str], names: set[str], bad: list[str]) -> None:
    if path.suffix == ".json":
        _walk_json(json.loads(path.read_text(encoding="utf-8")), people, names, path.name, bad)
    elif path.suffix == ".xlsx":
        wb = book(path, data_only=True)  # read once per content (tests/output_books.py): read by several tests
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                texts = [str(v) for v in row if v is not None]
                if not _mentions(texts, people, names):
                    continue
                zeros = [v for v in row if isinstance(v, (int, float)) and not isinstance(v, bool) and v == 0]
                zeros += [v for v in row if isinstance(v, str) and _is_zero_text(v)]
                if zeros:
                    bad.append(f"{path.name}!{ws.title}: {texts}")
    elif path.suffix == ".html":
        parser = _Rows()
        parser.feed(path.read_text(encoding="utf-8"))
        for row in parser.rows:
            if _mentions(row, people, names) and any(_is_zero_text(c) for c in row):
                bad.append(f"{path.name}: {row}")
    elif path.suffix == ".md":
        for line in path.read_text(encoding="utf-8").splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
            if cells and _mentions(cells, people, names) and any(_is_zero_text(c) for c in cells):
                bad.append(f"{path.name}: {line}")


@pytest.fixture(scope="module", params=["en", "zh"])
def closed(request, sample_dir, tmp_path_factory, closed_sample):
    """The sample's close in each language: English is the close the other read-only tests share
    (conftest.closed_sample); Chinese is closed here."""
    lang = request.param
    if lang == "en":
        res, folder = closed_sample
        return lang, folder / "out", folder / "s.db", res
    out = tmp_path_factory.mktemp(f"close-{lang}")
    db = out / "t.db"
    res = close_month(Source([sample_dir], None, db), PERIOD, out, jobs=1, lang=lang)
    return lang, out, db, res


def test_the_rejected_department_is_named_not_zero_in_every_close_output(closed, sample_dir):
    """completion, funds, royalties, salary, forecast, the report (xlsx, HTML, Markdown): no 0.00 for it."""
    lang, out, _db, res = closed
    people, names = _left_out_people(sample_dir)
    assert people, "the sample's North China has people"
    files = [p for paths in res.outputs.values() for p in paths if p.suffix in (".json", ".xlsx", ".html", ".md")]
    assert {p.suffix for p in files} >= {".json", ".xlsx", ".html", ".md"}
    bad: list[str] = []
    for path in files:
        _check_file(path, people, names, bad)
    assert not bad, "\n".join(bad[:20])
    completion = json.loads((out / f"completion-{PERIOD}.json").read_text(encoding="utf-8"))
    mine = [r for r in completion["rows"] if r["key"] == LEFT_OUT or r["key"] in people]
    assert mine and all(r["status"] == "not-computed" and r["reason"] == "department-not-consolidated"
                        and r["rag"] is None and r["rank"] is None for r in mine)
    funds = json.loads((out / f"funds-{PERIOD}.json").read_text(encoding="utf-8"))
    assert LEFT_OUT in funds["not_computed"]
    assert {r["status"] for r in funds["demand"] if r["key"] == LEFT_OUT} == {"not-computed"}


def test_company_totals_leave_the_rejected_department_out(closed, sample_dir):
    """The company's completion figures are the sum of the computed departments only."""
    _lang, out, _db, _res = closed
    rows = json.loads((out / f"completion-{PERIOD}.json").read_text(encoding="utf-8"))["rows"]
    for ind in ("Signing", "Collection", "Expense", "Profit"):
        depts = [r for r in rows if r["level"] == "department" and r["indicator"] == ind]
        company = next(r for r in rows if r["level"] == "company" and r["indicator"] == ind)
        summed = sum(round(float(r["ytd_actual"]) * 100) for r in depts if r["status"] == "computed")
        assert round(float(company["ytd_actual"]) * 100) == summed
    # salary.xlsx ends with a total row: the computed people's pay, nobody left out counted
    salary = json.loads((out / f"salary-{PERIOD}.json").read_text(encoding="utf-8"))
    pay = sum(round(float(r["pay"]) * 100) for r in salary["salaries"] if r["status"] == "computed")
    last = list(book(out / f"salary-{PERIOD}.xlsx").worksheets[0].iter_rows(values_only=True))[-1]
    assert last[0] in ("Total", "合计") and round(last[9] * 100) == pay


def test_statements_performance_files_and_history_of_left_out_people(closed, sample_dir, tmp_path):
    """Their statements, performance files and recorded payments name them as not computed, never 0.00."""
    lang, _out, db, _res = closed
    people, names = _left_out_people(sample_dir)
    run = statements(Source(db=str(db)), PERIOD, tmp_path / "st", formats=("xlsx", "html"), lang=lang,
                     employees=sorted(people))  # theirs: the other people's are the statements tests' concern
    files = [p for paths in run.files.values() for p in paths]
    assert any(p.stem.split("-")[0] in people or any(e in p.name for e in people) for p in files)
    bad: list[str] = []
    for path in files:
        _check_file(path, people, names, bad)
    perf = write_performance_files(Source(db=str(db)), 2026, tmp_path / "perf", employees=sorted(people),
                                   formats=("xlsx",), lang=lang)
    for paths in perf.files.values():
        for path in paths:
            _check_file(path, people, names, bad)
            wb = book(path, data_only=True)  # the workbook _check_file read just above (it has no formulas)
            for ws in wb.worksheets:
                for row in ws.iter_rows(values_only=True):
                    for v in row:
                        assert not (isinstance(v, str) and re.search(r"appraisal\.(nan|None)", v)), (path.name, v)
    assert not bad, "\n".join(bad[:20])
    with open_store(db) as store:
        for emp in sorted(people):
            pay = employee_payments(store, emp, 2026).to_dict()
            assert pay["status"] == "not-computed" and pay["not_computed"] == [PERIOD]
            assert pay["totals"]["royalty_paid"] is None and pay["totals"]["floating_paid"] is None


def test_history_tables_have_words_not_field_names(closed, sample_dir):
    """`history close|payments|list` headers and codes in the reader's language; a left-out person is named."""
    lang, _out, db, _res = closed
    people, _names = _left_out_people(sample_dir)
    runner = CliRunner()
    texts = []
    for args in (["history", "close", PERIOD], ["history", "payments", "E1002", "--year", "2026"],
                 ["history", "list"]):
        res = runner.invoke(cli, ["--lang", lang, *args, "--db", str(db)])
        assert res.exit_code == 0, res.output
        texts.append(res.output)
    for field_name in ("close_id", "ytd_earned", "paid_before", "close_period", "not_consolidated", "kind", "entry"):
        assert all(field_name not in text for text in texts), field_name
    res = runner.invoke(cli, ["--lang", lang, "history", "payments", sorted(people)[0], "--year", "2026",
                               "--db", str(db)])
    assert res.exit_code == 0 and "0.00" not in res.output
    assert ("not consolidated" if lang == "en" else "未汇总") in res.output


def test_a_reclose_that_leaves_a_department_out_says_not_computed_not_zero():
    """v1 paid E2001 13,124.20; v2 rejected North China: the change is "not computed", out of both totals."""
    def pay(rows):
        return pd.DataFrame(rows, columns=["employee_id", "kind", "entry", "amount"])

    old = pay([("E2001", "royalty", "payment", 13124.20), ("E1002", "royalty", "payment", 100.00)])
    new = pay([("E1002", "royalty", "payment", 150.00)])
    changes = reclose_changes(old, new, {"E2001"}).set_index("employee_id")
    assert changes.loc["E2001", "status"] == "not-computed"
    assert pd.isna(changes.loc["E2001", "after"]) and pd.isna(changes.loc["E2001", "change"])
    assert changes.loc["E1002", "status"] == "computed" and changes.loc["E1002", "change"] == 50.00
    totals = reclose_totals(old, new, {"E2001"}).set_index("kind")
    assert totals.loc["royalty", "before"] == 100.00 and totals.loc["royalty", "change"] == 50.00


def test_one_chinese_word_per_state():
    """A department left out is 未汇总 and a refused workbook 已拒收 everywhere: no other spelling in the catalog
    (once every module has registered its words)."""
    variants = ("未纳入", "未能汇总", "未合并")
    bad = {k: zh for k, (_en, zh) in MESSAGES.items() if any(v in zh for v in variants)}
    assert not bad
    rejected = {k: zh for k, (en, zh) in MESSAGES.items()  # a workbook refused (an approval's 已驳回 is another state)
                if en.strip().lower() == "rejected" and "queue" not in k}
    assert rejected and set(rejected.values()) == {"已拒收"}, rejected


def test_forecast_months_are_headed_as_months(closed):
    """forecast.xlsx heads its month columns "2026-11", never "2026-11 Days" (an aging bucket's label)."""
    lang, out, _db, _res = closed
    ws = book(out / f"forecast-{PERIOD}.xlsx").worksheets[0]
    headers = [c.value for c in next(ws.iter_rows(max_row=1))]
    months = [h for h in headers if isinstance(h, str) and re.match(r"\d{4}-\d{2}", h)]
    assert months and all(re.fullmatch(r"\d{4}-\d{2}", h) for h in months), headers


def test_the_appraisal_names_left_out_people_without_a_score_grade_or_rank(closed, sample_dir, tmp_path):
    """`toolkit appraisal` (its workbook and its text): North China's people have no rank, score, grade or
    coefficient and say why; the band distribution counts them as not computed, never as 0 in a band."""
    lang, _out, db, _res = closed
    people, names = _left_out_people(sample_dir)
    runner = CliRunner()
    res = runner.invoke(cli, ["--lang", lang, "appraisal", "--db", str(db), "--year", "2026",
                              "-o", str(tmp_path / "a.xlsx")])
    assert res.exit_code == 0, res.output
    bad: list[str] = []
    _check_file(tmp_path / "a.xlsx", people, names, bad)
    assert not bad, "\n".join(bad)
    ranking, bands = book(tmp_path / "a.xlsx").worksheets[:2]
    rows = list(ranking.iter_rows(values_only=True))
    mine = [dict(zip(rows[0], r)) for r in rows[1:] if r[2] in people]
    assert len(mine) == len(people)
    why = "not consolidated" if lang == "en" else "未汇总"
    for r in mine:
        figures = [v for k, v in r.items() if k not in (rows[0][2], rows[0][3], rows[0][4], rows[0][5], rows[0][6],
                                                           rows[0][10])]
        assert figures == [None] * 5 and why in r[rows[0][10]], r
    dist = list(bands.iter_rows(values_only=True))
    north = next(r for r in dist if r[0] == LEFT_OUT)
    not_computed = dist[0].index("Not computed" if lang == "en" else "未计算")
    assert north[not_computed] == north[-1] == len(people)
    assert all(v is None for i, v in enumerate(north[1:-1], 1) if i != not_computed)
    text = runner.invoke(cli, ["--lang", lang, "appraisal", "--db", str(db), "--year", "2026"])
    assert text.exit_code == 0, text.output
    for line in text.output.splitlines():
        if any(f" {p} " in line for p in people):
            assert why in line and "%" not in line and not re.match(r"\s*\d", line), line


def test_text_beside_a_figure_is_set_apart_and_not_due_has_no_days_overdue(closed):
    """salary.xlsx's Grade after the Score and funds.xlsx's Aging after Days Overdue are indented (no "95.9%B",
    no "-15Not Due"); a receivable not yet due shows no days overdue, one overdue its days."""
    lang, out, _db, _res = closed
    ws = book(out / f"salary-{PERIOD}.xlsx").worksheets[0]
    head = [c.value for c in ws[1]]
    grade = head.index("Grade" if lang == "en" else "等级") + 1
    assert head[grade - 2] in ("Score", "考核得分")
    graded = [ws.cell(r, grade) for r in range(2, ws.max_row + 1) if ws.cell(r, grade).value]
    assert graded and all(c.alignment.indent >= 1 for c in graded)
    wb = book(out / f"funds-{PERIOD}.xlsx")
    ws = wb["Receivables" if lang == "en" else "应收账款"]
    head = [c.value for c in ws[1]]
    days, aging, due = (head.index(h) + 1 for h in (("Days Overdue", "Aging", "Due Date") if lang == "en"
                                                    else ("逾期天数", "账龄", "到期日")))
    assert aging == days + 1
    rows = [(ws.cell(r, days).value, ws.cell(r, aging), ws.cell(r, due).value) for r in range(2, ws.max_row + 1)]
    end = pd.Timestamp("2026-10-31")
    assert any(d is None for d, _a, _due in rows) and any(d for d, _a, _due in rows)
    for d, a, due_date in rows:
        overdue = (end - pd.Timestamp(due_date)).days
        assert d == (overdue if overdue > 0 else None) and a.alignment.indent >= 1


def test_every_printed_page_of_a_royalty_trace_names_the_employee(closed):
    """Issue 24: royalties.xlsx prints each employee's trace with a page header naming them and the period, the
    header row repeated on every page (read back with openpyxl)."""
    lang, out, _db, _res = closed
    wb = book(out / f"royalties-{PERIOD}.xlsx")
    traces = [ws for ws in wb.worksheets if re.match(r"E\d{4} ", ws.title)]
    assert len(traces) > 10
    for ws in wb.worksheets:
        assert ws.print_title_rows == "$1:$1", ws.title
    for ws in traces:
        emp, name = ws.title.split(" ", 1)
        header = ws.oddHeader.center.text or ""
        assert emp in header and name in header and PERIOD in header, (ws.title, header)
    # the consolidated workbook: the table header repeated on every page, one page wide (or, too wide for that at
    # 60%, in column blocks with the key column repeated: tests/test_print_scale.py), page numbers
    for ws in book(out / f"consolidated-{PERIOD}.xlsx").worksheets:
        if ws.sheet_state != "visible":
            continue
        assert ws.print_title_rows == "$1:$1" and ws.page_setup.fitToWidth in (None, 1), ws.title  # None: 1
        assert ws.sheet_properties.pageSetUpPr.fitToPage or (ws.col_breaks.brk and ws.print_title_cols), ws.title
        assert "&P" in (ws.oddFooter.center.text or ""), ws.title
