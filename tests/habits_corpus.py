"""Generator of the issue-14 corpus: workbooks as people really keep them, one habit per file, both languages.

Each habit takes a clean sample workbook (English ``dept-east.xlsx``, Chinese ``dept-south.xlsx``, the standards
in English and a Chinese copy of it) and changes one thing the way people do: a title above the header, units in
headers, a totals row, October on its own sheet, formulas saved without values, an .xls copy … Each case says
what the reader must do with it: ``same`` (read as the clean workbook, the same figures) or the code of the
error-severity finding that stops it and says what to change.

Run ``python tests/habits_corpus.py OUT`` to write the corpus into OUT for looking at it.
"""

from __future__ import annotations

import copyreg
import datetime as dt
import gc
import pickle
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.worksheet.dimensions import DimensionHolder
from openpyxl.worksheet.table import TableList
from openpyxl.worksheet.worksheet import Worksheet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.schema import DEPARTMENT, STANDARDS, Table, header_key  # noqa: E402

SAMPLE = ROOT / "workbooks" / "sample"
CLEAN = {("department", "en"): "dept-east.xlsx", ("department", "zh"): "dept-south.xlsx",
         ("standards", "en"): "standards.xlsx", ("standards", "zh"): "standards-zh.xlsx"}


@dataclass(frozen=True)
class Case:
    """One corpus file: its habit, language, kind, path, and what must come of it (``same`` or an error code)."""

    habit: str
    lang: str
    kind: str
    path: Path
    expect: str
    clean: Path
    standards: Path | None = None  # a pair habit's own standards workbook (None: the clean one)


# ---------------------------------------------------------------------------------------------- helpers

def _sheet(wb: openpyxl.Workbook, table: Table, lang: str) -> Worksheet:
    return wb[table.sheet(lang)]


def _columns(ws: Worksheet, table: Table, header_row: int = 1) -> dict[str, int]:
    """Column key -> 1-based column index of the table's header on ``header_row``."""
    lookup = table.header_lookup()
    out: dict[str, int] = {}
    for cell in ws[header_row]:
        key = lookup.get(header_key(cell.value)) if cell.value is not None else None
        if key and key not in out:
            out[key] = cell.column
    return out


def _plain(ws: Worksheet) -> None:
    """Drop the sheet's Excel tables: pasted and retyped sheets are plain ranges (and rows move below)."""
    for name in list(ws.tables):
        del ws.tables[name]


def _pasted(wb: openpyxl.Workbook, key: str, lang: str) -> tuple[Worksheet, dict[str, int]]:
    """A department sheet as a plain range (``_plain``) and its columns: where each habit starts."""
    ws = _sheet(wb, DEPARTMENT.table(key), lang)
    _plain(ws)
    return ws, _columns(ws, DEPARTMENT.table(key))


def _last_row(ws: Worksheet, col: int = 1) -> int:
    row = ws.max_row
    while row > 1 and ws.cell(row, col).value in (None, ""):
        row -= 1
    return row


T = DEPARTMENT.table
S = STANDARDS.table


# ---------------------------------------------------------------------------------------------- habits
# Each habit edits an openpyxl workbook in place (lang: the workbook's language).

def title_rows(wb, lang):
    """A title, a date line and a blank row above the Contracts header (header on row 4) and 14 rows above the
    Collections header (header on row 15)."""
    ws = _sheet(wb, T("Contracts"), lang)
    _plain(ws)
    ws.insert_rows(1, 3)
    ws["A1"] = "华南区合同台账（2026年）" if lang == "zh" else "East China — contract register 2026"
    ws["A2"] = "制表：张三" if lang == "zh" else "Prepared by: Zhang"
    ws = _sheet(wb, T("Collections"), lang)
    _plain(ws)
    ws.insert_rows(1, 14)
    ws["A1"] = "回款登记" if lang == "zh" else "Receipts"


def unit_headers(wb, lang):
    """Units and other spellings in the headers: 合同金额（元）, 已履约金额(元), 付款账期; Amount (CNY) …"""
    ws = _sheet(wb, T("Contracts"), lang)
    cols = _columns(ws, T("Contracts"))
    names = ({"amount": "合同金额（元）", "delivered": "已履约金额(元)", "payment_terms": "付款账期"} if lang == "zh"
             else {"amount": "Amount (CNY)", "delivered": "Delivered (CNY)", "payment_terms": "Payment Terms"})
    _plain(ws)
    for key, text in names.items():
        ws.cell(1, cols[key]).value = text


def wan_yuan(wb, lang):
    """Contract amounts kept in ten-thousands under a (万元) header."""
    ws, cols = _pasted(wb, "Contracts", lang)
    c = cols["amount"]
    ws.cell(1, c).value = "合同金额(万元)" if lang == "zh" else "Amount (万元)"
    for r in range(2, ws.max_row + 1):
        v = ws.cell(r, c).value
        if isinstance(v, (int, float)):
            ws.cell(r, c).value = v / 10000


def broken_headers(wb, lang):
    """Alt+Enter line breaks, full-width letters and extra spaces in the headers."""
    ws, cols = _pasted(wb, "Expenses", lang)
    if lang == "zh":
        ws.cell(1, cols["claim_no"]).value = "报销\n编号"
        ws.cell(1, cols["amount"]).value = "金  额"
        ws.cell(1, cols["employee_id"]).value = " 工号 "
    else:
        ws.cell(1, cols["claim_no"]).value = "Claim\nNo"
        ws.cell(1, cols["amount"]).value = "Ａｍｏｕｎｔ"
        ws.cell(1, cols["employee_id"]).value = "Employee  ID"


def two_row_header(wb, lang):
    """A two-row header: a group row above, and Delivered split over the two rows."""
    ws, cols = _pasted(wb, "Contracts", lang)
    ws.insert_rows(1, 1)
    ws.cell(1, cols["contract_no"]).value = "合同信息" if lang == "zh" else "Contract"
    ws.merge_cells(start_row=1, start_column=cols["contract_no"], end_row=1, end_column=cols["customer"])
    ws.cell(1, cols["delivered"]).value = "已履约" if lang == "zh" else "Delivered"
    ws.cell(2, cols["delivered"]).value = "金额(元)" if lang == "zh" else "(CNY)"


def totals_rows(wb, lang):
    """A 合计/Total row under Contracts and Collections, and a subtotal row between the Expenses rows."""
    for key in ("Contracts", "Collections"):
        ws, cols = _pasted(wb, key, lang)
        last = _last_row(ws)
        ws.cell(last + 1, 1).value = "合计" if lang == "zh" else "Total"
        c = cols["amount"]
        ws.cell(last + 1, c).value = sum(ws.cell(r, c).value or 0 for r in range(2, last + 1))
    ws, cols = _pasted(wb, "Expenses", lang)
    ws.insert_rows(12, 1)
    c = cols["amount"]
    ws.cell(12, 1).value = "小计" if lang == "zh" else "Subtotal"
    ws.cell(12, c).value = sum(ws.cell(r, c).value or 0 for r in range(2, 12))


def unlabelled_total(wb, lang):
    """A totals row with no label: only the amount, equal to the sum of the rows above."""
    ws, cols = _pasted(wb, "Collections", lang)
    last = _last_row(ws)
    c = cols["amount"]
    ws.cell(last + 2, c).value = sum(ws.cell(r, c).value or 0 for r in range(2, last + 1))


def notes_row(wb, lang):
    """A note under the Expenses table."""
    ws = _sheet(wb, T("Expenses"), lang)
    _plain(ws)
    ws.cell(_last_row(ws) + 2, 1).value = ("注：本表金额均含税，单位为元。" if lang == "zh"
                                           else "Note: amounts include tax, in CNY.")


def plan_totals(wb, lang):
    """A department totals row per indicator in the Plan (it doubled the targets when forced)."""
    ws, cols = _pasted(wb, "Plan", lang)
    last = _last_row(ws)
    ws.cell(last + 1, cols["employee_id"]).value = "合计" if lang == "zh" else "Total"
    for c in range(cols["m01"], cols["annual"] + 1):
        ws.cell(last + 1, c).value = sum(ws.cell(r, c).value or 0 for r in range(2, last + 1))


def october_sheet(wb, lang):
    """October's receipts kept on their own sheet under the Collections header."""
    ws, cols = _pasted(wb, "Collections", lang)
    extra = wb.create_sheet("10月回款" if lang == "zh" else "October receipts")
    extra.append([ws.cell(1, c).value for c in range(1, ws.max_column + 1)])
    d = cols["receipt_date"]
    moved = [r for r in range(2, ws.max_row + 1)
             if isinstance(ws.cell(r, d).value, dt.datetime) and (ws.cell(r, d).value.year, ws.cell(r, d).value.month)
             == (2026, 10)]
    for r in moved:
        extra.append([ws.cell(r, c).value for c in range(1, ws.max_column + 1)])
    for r in reversed(moved):
        ws.delete_rows(r, 1)


def formulas_without_values(wb, lang):
    """Delivered as formulas (=Amount × the delivered share) saved by a script, never opened in Excel: no cached
    values; the formula engine computes them."""
    ws, cols = _pasted(wb, "Contracts", lang)
    a = openpyxl.utils.get_column_letter(cols["amount"])
    for r in range(2, 8):
        amount, delivered = ws.cell(r, cols["amount"]).value, ws.cell(r, cols["delivered"]).value
        if amount and delivered is not None:
            ws.cell(r, cols["delivered"]).value = f"=ROUND({a}{r}*{delivered / amount!r},2)"


def formulas_uncomputable(wb, lang):
    """Formulas saved without values that no engine can compute here (a web lookup)."""
    ws, cols = _pasted(wb, "Contracts", lang)
    for r in range(2, 5):
        ws.cell(r, cols["delivered"]).value = f'=WEBSERVICE("http://erp.example/delivered?row={r}")'


def merged_ids(wb, lang):
    """Consecutive Expenses rows of one employee with the Employee ID merged over them."""
    ws, cols = _pasted(wb, "Expenses", lang)
    c = cols["employee_id"]
    r, last = 2, _last_row(ws)
    merged = 0
    while r < last and merged < 5:
        end = r
        while end + 1 <= last and ws.cell(end + 1, c).value == ws.cell(r, c).value:
            end += 1
        if end > r:
            for rr in range(r + 1, end + 1):
                ws.cell(rr, c).value = None
            ws.merge_cells(start_row=r, start_column=c, end_row=end, end_column=c)
            merged += 1
        r = end + 1


def fullwidth_ids(wb, lang):
    """Employee IDs typed with a Chinese input method: full-width letters and digits (Ｅ１００２)."""
    ws, cols = _pasted(wb, "Contracts", lang)
    c = cols["employee_id"]
    for r in range(2, 12):
        v = ws.cell(r, c).value
        if isinstance(v, str):
            ws.cell(r, c).value = "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in v)


def numeric_dates(wb, lang):
    """Sign dates typed as numbers like 20260104."""
    ws, cols = _pasted(wb, "Contracts", lang)
    c = cols["sign_date"]
    for r in range(2, 20):
        v = ws.cell(r, c).value
        if isinstance(v, dt.datetime):
            ws.cell(r, c).value = int(v.strftime("%Y%m%d"))
            ws.cell(r, c).number_format = "General"


def department_suffix(wb, lang):
    """The Info department written with a suffix the Roster does not use (华南区 for 华南)."""
    ws = wb["信息" if lang == "zh" else "Info"]
    for row in ws.iter_rows(min_row=1, max_col=2):
        if row[0].value in ("Department", "部门"):
            row[1].value = f"{row[1].value}区" if lang == "zh" else f"{row[1].value} Region"


def drop_delivered(wb, lang):
    """The Delivered column deleted: receivables cannot be computed (a warning and the not-computable flag)."""
    ws, cols = _pasted(wb, "Contracts", lang)
    ws.delete_cols(cols["delivered"], 1)


# --- standards habits

def points_percent(wb, lang):
    """Every percent column of the standards typed in points: Rate % = 3, Gate % = 60, Margin = 28, Weight = 30."""
    for key in ("RoyaltyPlans", "RoyaltyTiers", "ProductLines", "Appraisal", "AppraisalBands"):
        table = S(key)
        ws = _sheet(wb, table, lang)
        start = table.first_column - 1
        lookup = table.header_lookup()
        for cell in ws[1][start:]:
            col = lookup.get(header_key(cell.value)) if cell.value is not None else None
            if col is None or table.column(col).fraction_range is None:
                continue
            for r in range(2, ws.max_row + 1):
                v = ws.cell(r, cell.column).value
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    ws.cell(r, cell.column).value = round(v * 100, 10)
                    ws.cell(r, cell.column).number_format = "General"


def implausible_rate(wb, lang):
    """A tier rate typed as 300% (e.g. 3 in a percent-formatted cell)."""
    ws = _sheet(wb, S("RoyaltyTiers"), lang)
    cols = _columns(ws, S("RoyaltyTiers"))
    ws.cell(2, cols["rate"]).value = 3.0


def weights_off(wb, lang):
    """Appraisal weights that do not add up to 100%."""
    ws = _sheet(wb, S("Appraisal"), lang)
    cols = _columns(ws, S("Appraisal"))
    ws.cell(2, cols["weight"]).value = (ws.cell(2, cols["weight"]).value or 0) + 0.05


# --- issue 22: keys, languages, duplicate columns and the habits still misread

def _retype(ws: Worksheet, col: int, fn: Callable, number_format: str | None = None) -> None:
    """Each text cell of column ``col`` (below the header) retyped as ``fn(text)``."""
    for r in range(2, ws.max_row + 1):
        cell = ws.cell(r, col)
        if isinstance(cell.value, str):
            cell.value = fn(cell.value)
            if number_format:
                cell.number_format = number_format


def product_line_lowercase(wb, lang):
    """Product lines retyped in lower case (hx-cloud): the Product Lines' factor and margin still apply."""
    ws, cols = _pasted(wb, "Contracts", lang)
    _retype(ws, cols["product_line"], str.lower)


def contract_no_as_number(wb, lang):
    """Contract numbers kept as numbers on Contracts (20250001) and pasted as text 20250001.0 on Collections."""
    def number(v):
        return int("".join(ch for ch in v if ch.isdigit()))

    ws, cols = _pasted(wb, "Contracts", lang)
    _retype(ws, cols["contract_no"], number, "General")
    ws, cols = _pasted(wb, "Collections", lang)
    _retype(ws, cols["contract_no"], lambda v: f"{number(v)}.0")


def ids_invisible(wb, lang):
    """Employee IDs on Expenses in lower case with a zero-width space pasted from a chat message."""
    ws, cols = _pasted(wb, "Expenses", lang)
    _retype(ws, cols["employee_id"], lambda v: f"{v[:1].lower()}\u200b{v[1:]}")


def department_other_language(wb, lang):
    """The Info department written in the other language (South China for the Roster's 华南)."""
    ws = wb["信息" if lang == "zh" else "Info"]
    for row in ws.iter_rows(min_row=1, max_col=2):
        if row[0].value in ("Department", "部门"):
            row[1].value = "South China" if lang == "zh" else "华东"


def _insert_amount_copy(wb, lang, header, factor, hidden):
    ws, cols = _pasted(wb, "Contracts", lang)
    c = cols["amount"]
    ws.insert_cols(c, 1)
    ws.cell(1, c).value = header
    if factor is not None:
        for r in range(2, _last_row(ws) + 1):
            v = ws.cell(r, c + 1).value
            if isinstance(v, (int, float)):
                ws.cell(r, c).value = round(v * factor, 2)
    if hidden:
        ws.column_dimensions[openpyxl.utils.get_column_letter(c)].hidden = True
    return ws, c


def stale_amount_hidden(wb, lang):
    """A hidden stale Amount column (last year's figures) left before the real one."""
    _insert_amount_copy(wb, lang, "合同金额" if lang == "zh" else "Amount", 0.9, hidden=True)


def hidden_empty_amount(wb, lang):
    """A hidden, empty column headed Amount before the real one: nothing to choose between."""
    _insert_amount_copy(wb, lang, "合同金额" if lang == "zh" else "Amount", None, hidden=True)


def tax_amount_columns(wb, lang):
    """Amount kept twice, without and with tax: 合同金额(不含税) before 合同金额(含税)."""
    ws, c = _insert_amount_copy(wb, lang, "合同金额(不含税)" if lang == "zh" else "Amount (excl. VAT)", 1 / 1.13,
                                hidden=False)
    ws.cell(1, c + 1).value = "合同金额(含税)" if lang == "zh" else "Amount (incl. VAT)"


def percent_delivered(wb, lang):
    """Delivered kept as the delivered share in percent-formatted cells (100%, 35%)."""
    ws, cols = _pasted(wb, "Contracts", lang)
    for r in range(2, _last_row(ws) + 1):
        amount, delivered = ws.cell(r, cols["amount"]).value, ws.cell(r, cols["delivered"]).value
        if amount and isinstance(delivered, (int, float)):
            ws.cell(r, cols["delivered"]).value = round(delivered / amount, 4)
            ws.cell(r, cols["delivered"]).number_format = "0%"


def decimal_comma(wb, lang):
    """Receipt amounts pasted as text with a decimal comma (71.700,00; 71 700,00)."""
    ws, cols = _pasted(wb, "Collections", lang)
    for r in range(2, _last_row(ws) + 1):
        v = ws.cell(r, cols["amount"]).value
        if isinstance(v, (int, float)):
            whole, cents = f"{abs(v):,.2f}".split(".")
            sep = " " if lang == "zh" else "."
            ws.cell(r, cols["amount"]).value = f"{'-' if v < 0 else ''}{whole.replace(',', sep)},{cents}"


def hidden_voided_rows(wb, lang):
    """Two voided receipts kept in Collections with their rows hidden."""
    ws, cols = _pasted(wb, "Collections", lang)
    last = _last_row(ws)
    for i, r in enumerate((last + 1, last + 2)):
        for c in range(1, ws.max_column + 1):
            ws.cell(r, c).value = ws.cell(2 + i, c).value
        ws.cell(r, cols["receipt_no"]).value = f"VOID-{i + 1}"
        ws.row_dimensions[r].hidden = True


def filtered_rows(wb, lang):
    """Collections saved with a filter applied: the rows it hides are data all the same."""
    ws, cols = _pasted(wb, "Collections", lang)
    last = _last_row(ws)
    ws.auto_filter.ref = f"A1:{openpyxl.utils.get_column_letter(ws.max_column)}{last}"
    ws.auto_filter.add_filter_column(cols["method"] - 1, ["Bank Transfer", "银行转账"])
    for r in range(2, last + 1, 3):
        ws.row_dimensions[r].hidden = True


def hidden_column_data(wb, lang):
    """A hidden helper column with notes next to the Expenses."""
    ws, _ = _pasted(wb, "Expenses", lang)
    c = ws.max_column + 1
    ws.cell(1, c).value = "内部备注" if lang == "zh" else "Internal note"
    for r in range(2, 6):
        ws.cell(r, c).value = "checked"
    ws.column_dimensions[openpyxl.utils.get_column_letter(c)].hidden = True


def roster_plan_lowercase(wb, lang):
    """The Roster's Royalty Plan typed in lower case."""
    ws = _sheet(wb, S("Roster"), lang)
    _retype(ws, _columns(ws, S("Roster"))["royalty_plan"], str.lower)


def roster_hidden_leaver(wb, lang):
    """A Roster row hidden (a leaver the director does not want to see): still a person, read."""
    ws = _sheet(wb, S("Roster"), lang)
    ws.row_dimensions[3].hidden = True


def _threshold(wb, lang, name, value, fmt="General"):
    ws = _sheet(wb, S("Thresholds"), lang)
    cols = _columns(ws, S("Thresholds"))
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, cols["name"]).value in name:
            ws.cell(r, cols["value"]).value = value
            ws.cell(r, cols["value"]).number_format = fmt


def amber_band_percent(wb, lang):
    """The Amber Band (in points) typed as the text 10%."""
    _threshold(wb, lang, ("Amber Band", "黄灯区间"), "10%")


def amber_band_fraction(wb, lang):
    """The Amber Band typed as the fraction 0.1 in a percent-formatted cell (shows 10%)."""
    _threshold(wb, lang, ("Amber Band", "黄灯区间"), 0.1, "0%")

def month_words(wb, lang):
    """Plan month headers in words: 一月 … 十二月; January … December."""
    ws, cols = _pasted(wb, "Plan", lang)
    zh = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")
    for i in range(1, 13):
        ws.cell(1, cols[f"m{i:02d}"]).value = f"{zh[i - 1]}月" if lang == "zh" else dt.date(2026, i, 1).strftime("%B")


def month_dates(wb, lang):
    """Plan month headers as dates (the first of each month; Jan-26 shown), or as Jan-26 text."""
    ws, cols = _pasted(wb, "Plan", lang)
    for i in range(1, 13):
        cell = ws.cell(1, cols[f"m{i:02d}"])
        if lang == "zh":
            cell.value, cell.number_format = dt.datetime(2026, i, 1), "mmm-yy"
        else:
            cell.value = dt.date(2026, i, 1).strftime("%b-%y")


def hint_row(wb, lang):
    """A hint row under the Contracts header (必填, yyyy-mm-dd …), kept from the template someone made."""
    ws, cols = _pasted(wb, "Contracts", lang)
    ws.insert_rows(2, 1)
    hints = {"contract_no": "必填", "sign_date": "yyyy-mm-dd", "amount": "数字"} if lang == "zh" else \
        {"contract_no": "Required", "sign_date": "yyyy-mm-dd", "amount": "Number"}
    for key, text in hints.items():
        ws.cell(2, cols[key]).value = text


def error_in_description(wb, lang):
    """An #N/A left by a lookup in the free-text Description of a claim."""
    ws, cols = _pasted(wb, "Expenses", lang)
    ws.cell(3, cols["description"]).value = "#N/A"  # openpyxl writes it as an error cell (t="e")


def summary_table(wb, lang):
    """A summary by product line kept under the Contracts, after a blank row."""
    ws, cols = _pasted(wb, "Contracts", lang)
    r = _last_row(ws) + 2
    ws.cell(r, cols["customer"]).value = "按产品线汇总" if lang == "zh" else "Summary by product line"
    for i, (line, amount) in enumerate((("HX-Cloud", 1200000), ("HX-Grid", 830000), ("HX-Meter", 455000)), 1):
        ws.cell(r + i, cols["product_line"]).value = line
        ws.cell(r + i, cols["amount"]).value = amount


#: habit -> (kind, function, expectation): "same", "figures:<info code>" (the same royalties and completion, read
#: with that info; the typed tables keep the keys as written) or the error code that must stop the file.
HABITS: dict[str, tuple[str, Callable, str]] = {
    "title-rows": ("department", title_rows, "same"),
    "unit-headers": ("department", unit_headers, "same"),
    "wan-yuan": ("department", wan_yuan, "same"),
    "broken-headers": ("department", broken_headers, "same"),
    "two-row-header": ("department", two_row_header, "same"),
    "totals-rows": ("department", totals_rows, "same"),
    "unlabelled-total": ("department", unlabelled_total, "same"),
    "notes-row": ("department", notes_row, "same"),
    "plan-totals": ("department", plan_totals, "same"),
    "october-sheet": ("department", october_sheet, "extra-sheet-data"),
    "formulas-without-values": ("department", formulas_without_values, "same"),
    "formulas-uncomputable": ("department", formulas_uncomputable, "formula-no-value"),
    "merged-ids": ("department", merged_ids, "same"),
    "fullwidth-ids": ("department", fullwidth_ids, "same"),
    "numeric-dates": ("department", numeric_dates, "same"),
    "department-suffix": ("department", department_suffix, "same"),
    "drop-delivered": ("department", drop_delivered, "same"),
    "points-percent": ("standards", points_percent, "same"),
    "implausible-rate": ("standards", implausible_rate, "percent-out-of-range"),
    "weights-off": ("standards", weights_off, "weights-not-100"),
    # issue 22
    "product-line-lowercase": ("department", product_line_lowercase, "figures:key-normalized"),
    "contract-no-as-number": ("department", contract_no_as_number, "figures:key-normalized"),
    "ids-invisible": ("department", ids_invisible, "figures:key-normalized"),
    "department-other-language": ("department", department_other_language, "unknown-department"),
    "stale-amount-hidden": ("department", stale_amount_hidden, "ambiguous-column"),
    "hidden-empty-amount": ("department", hidden_empty_amount, "same"),
    "tax-amount-columns": ("department", tax_amount_columns, "ambiguous-column"),
    "percent-delivered": ("department", percent_delivered, "percent-money"),
    "decimal-comma": ("department", decimal_comma, "same"),
    "hidden-voided-rows": ("department", hidden_voided_rows, "hidden-rows"),
    "filtered-rows": ("department", filtered_rows, "same"),
    "hidden-column-data": ("department", hidden_column_data, "same"),
    "roster-plan-lowercase": ("standards", roster_plan_lowercase, "figures:key-normalized"),
    "amber-band-percent": ("standards", amber_band_percent, "same"),
    "roster-hidden-leaver": ("standards", roster_hidden_leaver, "same"),
    "amber-band-fraction": ("standards", amber_band_fraction, "same"),
    "month-words": ("department", month_words, "same"),
    "month-dates": ("department", month_dates, "same"),
    "hint-row": ("department", hint_row, "same"),
    "summary-table": ("department", summary_table, "summary-table"),
    "error-in-description": ("department", error_in_description, "figures:formula-error-text"),
}
def default_password(src: Path, out: Path) -> None:
    """Encrypted with Excel's built-in default password only (Excel opens it without asking)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(src, "rb") as fh, open(out, "wb") as dst:
        OOXMLFile(fh).encrypt("VelvetSweatshop", dst)


def macro_sheet(src: Path, out: Path) -> None:
    """An .xlsm with an Excel 4.0 macro sheet next to the data sheets."""
    import zipfile

    ms = "http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/workbook.xml":
                # the prefix declared here: a workbook.xml may declare it on each <sheet> rather than on the root
                data = data.replace(b"</sheets>", b'<sheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
                                    b'2006/relationships" name="Macro1" sheetId="99" r:id="rIdM1"/></sheets>')
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", f'<Relationship Id="rIdM1" Type="{ms}" '
                                    'Target="macrosheets/sheet1.xml"/></Relationships>'.encode())
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/macrosheets/sheet1.xml" ContentType='
                                    b'"application/vnd.ms-excel.macrosheet+xml"/></Types>')
            zout.writestr(info, data)
        zout.writestr("xl/macrosheets/sheet1.xml", '<?xml version="1.0" encoding="UTF-8"?><xm:macrosheet xmlns='
                      '"http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:xm="http://schemas.microsoft'
                      '.com/office/excel/2006/main"><sheetData><row r="1"><c r="A1"><f>HALT()</f><v>1</v></c></row>'
                      "</sheetData></xm:macrosheet>")


def _digits(text: str) -> str:
    """An ID kept as a number: its digits (E1002 → 1002)."""
    return "".join(ch for ch in text if ch.isdigit())


def numeric_ids(dept, std, lang):
    """Employee IDs kept as numbers in the standards (1002: the Roster, Roster Changes) and pasted as text 1002.0
    in the department workbook."""
    for table in STANDARDS.tables:  # every standards sheet naming an employee (a Roster Changes row included)
        if "employee_id" not in {c.key for c in table.columns} or table.sheet(lang) not in std.sheetnames:
            continue
        ws = _sheet(std, table, lang)
        if "employee_id" in (cols := _columns(ws, table)):
            _retype(ws, cols["employee_id"], lambda v: int(_digits(v)), "General")
    # every sheet naming an employee (from the schema, so a sheet a later issue adds is covered too)
    people = ("employee_id", "split_employee_id", "reviewer")  # a reviewer is named by Employee ID in the sample
    keyed = [t.key for t in DEPARTMENT.tables if set(people) & {c.key for c in t.columns}]
    for key in keyed:
        if DEPARTMENT.table(key).sheet(lang) not in dept.sheetnames:
            continue
        ws, cols = _pasted(dept, key, lang)
        for col in people:
            if col in cols:
                _retype(ws, cols[col], lambda v: f"{_digits(v)}.0")


#: Habits stopped by exactly one error finding (issue 22: "less noise" where a file is stopped).
QUIET = frozenset({"department-other-language", "stale-amount-hidden", "tax-amount-columns", "percent-delivered",
                   "summary-table"})


#: Habits that change the department workbook and the standards together: (function, expectation). The figures
#: are compared with the clean ones with IDs written as their digits.
PAIR_HABITS: dict[str, tuple[Callable, str]] = {"numeric-ids": (numeric_ids, "figures:key-normalized")}


#: File-level habits (department workbooks), all expected to read the same.
FILE_HABITS: dict[str, Callable[[Path, Path], None]] = {"default-password": default_password,
                                                        "macro-sheet": macro_sheet}
#: Files saved in another format by LibreOffice (the habit: old Excel or WPS), expected to read the same.
FORMATS = ("xls", "ods")


def clean_workbooks(out: Path) -> dict[tuple[str, str], Path]:
    """The clean workbooks of both kinds and languages in ``out`` (a Chinese standards copy is written)."""
    from toolkit.io.reader import read_workbook
    from toolkit.io.templates import write_workbook

    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for (kind, lang), name in CLEAN.items():
        target = out / f"clean-{kind}-{lang}.xlsx"
        if name == "standards-zh.xlsx":
            std = read_workbook(SAMPLE / "standards.xlsx")
            write_workbook(target, STANDARDS, "zh", frames=std.tables, info=std.info)
        else:
            shutil.copyfile(SAMPLE / name, target)
        paths[(kind, lang)] = target
    return paths


def _table_list(tables: list) -> TableList:
    out = TableList()
    for table in tables:
        out.add(table)
    return out


def _dimensions(worksheet: Worksheet, reference: str, factory: Callable, outline: int | None) -> DimensionHolder:
    out = DimensionHolder(worksheet, reference, factory)
    out.max_outline = outline
    return out


# Two openpyxl dicts the default pickle restores wrongly: TableList (its items() gives (name, range) pairs, so the
# ranges would come back in place of the tables) and DimensionHolder (a sheet's row and column dimensions: its
# default factory would be lost). tests/test_habits.py checks that every copy saves as the loaded workbook does.
copyreg.pickle(TableList, lambda t: (_table_list, (list(dict.values(t)),)))
copyreg.pickle(DimensionHolder, lambda d: (_dimensions, (d.worksheet, d.reference, d.default_factory, d.max_outline),
                                           None, None, iter(dict.items(d))))

#: Parsed clean workbooks, pickled once per file (unpickling is a third of ``load_workbook``'s cost; each habit
#: edits its own copy and saves it exactly as it would save the loaded one).
_LOADED: dict[tuple[Path, int], bytes] = {}


def _load(path: Path) -> openpyxl.Workbook:
    """``openpyxl.load_workbook(path)``: a fresh copy of the workbook parsed on the first call for the file."""
    key = (path, path.stat().st_mtime_ns)
    if key not in _LOADED:
        _LOADED[key] = pickle.dumps(openpyxl.load_workbook(path), protocol=pickle.HIGHEST_PROTOCOL)
    return _unpickled(_LOADED[key])


def _unpickled(data: bytes) -> openpyxl.Workbook:
    """``pickle.loads(data)`` with the cyclic garbage collector paused: unpickling a workbook makes ~10^5 objects,
    each batch of them set off a collection that walks the whole (large) test process, and none of them is garbage
    yet: most of the unpickling time in a test process. Nothing else changes: the collector runs again right after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(data)  # noqa: S301 - our own pickle of a workbook parsed by _load
    finally:
        if enabled:
            gc.enable()


#: Files LibreOffice saved: (format, source, its modification time) -> the saved file (one start per format).
_SAVED: dict[tuple[str, Path, int], Path] = {}


def _soffice(sources: list[Path], fmt: str, out: Path) -> dict[Path, Path]:
    """``sources`` saved as ``fmt`` by one LibreOffice run into ``out``: source -> saved file (empty: no soffice)."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        return {}
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([exe, "--headless", "--norestore", f"-env:UserInstallation=file://{profile}",
                        "--convert-to", fmt, "--outdir", str(out), *map(str, sources)],
                       check=True, capture_output=True, timeout=900)
    return {src: out / f"{src.stem}.{fmt}" for src in sources if (out / f"{src.stem}.{fmt}").exists()}


def _saved_as(fmt: str, src: Path, clean: dict[tuple[str, str], Path], out: Path) -> Path | None:
    """``src`` (a clean department workbook) as LibreOffice saves it in ``fmt``, copied into ``out`` (None: no
    soffice). The first call for a format saves every clean department workbook in one LibreOffice run."""
    key = (fmt, src, src.stat().st_mtime_ns)
    if key not in _SAVED:
        depts = sorted({p for (kind, _), p in clean.items() if kind == "department"} | {src})
        made = _soffice(depts, fmt, Path(tempfile.mkdtemp(prefix=f"habits-{fmt}-", dir=out.parent)))
        _SAVED.update({(fmt, p, p.stat().st_mtime_ns): saved for p, saved in made.items()})
    if key not in _SAVED:
        return None
    target = out / _SAVED[key].name
    shutil.copyfile(_SAVED[key], target)
    return target


def names() -> list[tuple[str, str]]:
    """Every (habit, language) of the corpus."""
    habits = (*HABITS, *PAIR_HABITS, *FILE_HABITS, *(f"saved-as-{f}" for f in FORMATS))
    return [(h, lang) for h in habits for lang in ("en", "zh")]


def build_case(habit: str, lang: str, clean: dict[tuple[str, str], Path], out: Path) -> Case | None:
    """Write one corpus file into ``out`` (None: LibreOffice is needed and absent)."""
    out.mkdir(parents=True, exist_ok=True)
    if habit in HABITS:
        kind, fn, expect = HABITS[habit]
        base = clean[(kind, lang)]
        wb = _load(base)
        fn(wb, lang)
        path = out / f"{habit}-{lang}.xlsx"
        wb.save(path)
        return Case(habit, lang, kind, path, expect, base)
    base = clean[("department", lang)]
    if habit in PAIR_HABITS:
        fn, expect = PAIR_HABITS[habit]
        dept, std = _load(base), _load(clean[("standards", lang)])
        fn(dept, std, lang)
        path, std_path = out / f"{habit}-{lang}.xlsx", out / f"{habit}-standards-{lang}.xlsx"
        dept.save(path)
        std.save(std_path)
        return Case(habit, lang, "department", path, expect, base, std_path)
    if habit in FILE_HABITS:
        path = out / f"{habit}-{lang}.{'xlsm' if habit == 'macro-sheet' else 'xlsx'}"
        FILE_HABITS[habit](base, path)
        return Case(habit, lang, "department", path, "same", base)
    fmt = habit.removeprefix("saved-as-")
    made = _saved_as(fmt, base, clean, out)
    return None if made is None else Case(habit, lang, "department", made, "same", base)


def build_corpus(out: Path) -> list[Case]:
    """Write every habit in both languages (and the other-format copies) into ``out``; the cases."""
    clean = clean_workbooks(out)
    cases = [build_case(h, lang, clean, out / h) for h, lang in names()]
    return [c for c in cases if c is not None]


if __name__ == "__main__":
    for case in build_corpus(Path(sys.argv[1] if len(sys.argv) > 1 else "habits-corpus")):
        print(f"{case.habit:26s} {case.lang} {case.expect:22s} {case.path}")
