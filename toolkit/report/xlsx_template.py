"""Writes the default Excel report templates (templates/monthly_report.xlsx and monthly_report_zh.xlsx).

The committed files are generated once by ``python -m toolkit.report.xlsx_template templates`` and are
then the director's to edit in Excel; the engine (``xlsx_render``) only relies on the placeholders.
"""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.formatting.rule import DataBarRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from ..i18n import register, t
from ..io.writer import save_workbook
from .sections.words import COLUMNS

register(
    {
        "report.sheet.summary": ("Summary", "概览"),
        "report.sheet.completion": ("Completion", "指标完成"),
        "report.sheet.funds": ("Funds", "资金"),
        "report.sheet.expenses": ("Expenses", "费用"),
        "report.sheet.pay": ("Royalties & Pay", "提成与工资"),
        "report.sheet.market": ("Market & Trend", "市场与趋势"),
        "report.sheet.quality": ("Data Quality", "数据质量"),
        "report.tpl.key_figures": ("Key figures", "关键数字"),
        "report.tpl.receivables": ("Receivables", "应收账款"),
        "report.tpl.overdue": ("of which overdue", "其中逾期"),
        "report.tpl.royalties": ("Royalties payable this month", "本月应付提成"),
        "report.tpl.floating": ("Floating salary", "浮动工资"),
        "report.tpl.new_contracts": ("New contracts", "新签合同"),
        "report.tpl.findings": ("Data-quality findings (errors / warnings)", "数据质量问题（错误/警告）"),
        "report.tpl.total": ("Total", "合计"),
    }
)

HEADER_FILL = PatternFill("solid", start_color="FF1F4E79", end_color="FF1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFFFF")
TITLE_FONT = Font(bold=True, size=16, color="FF1F4E79")
SECTION_FONT = Font(bold=True, size=12, color="FF1F4E79")
BANNER_FONT = Font(bold=True, color="FFC00000")
THIN = Side(style="thin", color="FFBFBFBF")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def _title(ws, row: int, text: str, font: Font = SECTION_FONT) -> None:  # noqa: ANN001
    cell = ws.cell(row, 1, text)
    cell.font = font


def _table(ws, row: int, name: str, cols: int, col: int = 1) -> None:  # noqa: ANN001
    """A table placeholder (header style) and its style row beneath (borders)."""
    head = ws.cell(row, col, "{{ tables.%s }}" % name)
    head.fill, head.font, head.border = HEADER_FILL, HEADER_FONT, BORDER
    head.alignment = Alignment(wrap_text=True, vertical="center")
    for j in range(cols):
        ws.cell(row + 1, col + j).border = BORDER


def build_template(lang: str = "en") -> Workbook:
    """The default report template in ``lang`` (sheet names and static labels translated)."""
    wb = Workbook()
    s = wb.active
    s.title = t("report.sheet.summary", lang)
    s["A1"] = "{{ text.title }}"
    s["A1"].font = TITLE_FONT
    s["A2"] = "{{ text.subtitle }} {{ text.time_progress_note }} {{ text.generated_from }}"
    s["A3"] = "{{ text.banner }}"
    s["A3"].font = BANNER_FONT
    s["A4"] = "{{ text.unit_note_book }} {{ text.rag_note }}"
    _title(s, 6, "{{ text.summary }}")
    _table(s, 7, "summary", 1)
    s.merge_cells("A8:L8")
    s["A8"].alignment = Alignment(wrap_text=True, vertical="top")
    s.row_dimensions[8].height = 30
    _title(s, 10, "{{ text.headline }}")
    _table(s, 11, "headline", len(COLUMNS["headline"]))
    _title(s, 14, t("report.tpl.key_figures", lang))
    figures = [("report.tpl.receivables", "{{ headline.receivables | money }}"),
               ("report.tpl.overdue", "{{ headline.overdue | money }}"),
               ("report.tpl.royalties", "{{ headline.royalties_payable | money }}"),
               ("report.tpl.floating", "{{ headline.floating_pay | money }}"),
               ("report.tpl.new_contracts", "{{ headline.new_contracts }}"),
               ("report.tpl.findings", "{{ headline.errors }} / {{ headline.warnings }}")]
    for i, (key, expr) in enumerate(figures):
        s.cell(15 + i, 1, t(key, lang))
        s.cell(15 + i, 3, expr).font = Font(bold=True)
    _title(s, 22, "{{ text.contracts }}")
    _table(s, 23, "contracts_by_department", len(COLUMNS["contracts_by_department"]))
    _title(s, 26, "{{ text.history }}")
    _table(s, 27, "history", len(COLUMNS["history"]))
    s["A29"] = "{{ charts.history }}"  # under its table, not beside it: the sheet prints larger (issue 24)

    c = wb.create_sheet(t("report.sheet.completion", lang))
    _title(c, 1, "{{ text.completion }} – {{ text.completion_department }}")
    c["A2"] = "{{ text.rag_note }}"
    _table(c, 3, "completion_by_department", len(COLUMNS["completion_by_department"]))
    c.conditional_formatting.add("H4:H4", DataBarRule(start_type="num", start_value=0, end_type="num",
                                                      end_value=1.2, color="FF5B9BD5"))
    _title(c, 6, "{{ text.chart_completion }}")
    _table(c, 7, "completion_matrix", len(COLUMNS["completion_matrix"]))
    c["A9"] = "{{ charts.completion_by_department }}"  # under its table (issue 24)
    _title(c, 26, "{{ text.completion_salesperson }}")
    _table(c, 27, "completion_by_salesperson", len(COLUMNS["completion_by_salesperson"]))
    _title(c, 30, "{{ text.red_indicators }}")
    _table(c, 31, "red_indicators", len(COLUMNS["red_indicators"]))

    f = wb.create_sheet(t("report.sheet.funds", lang))
    _title(f, 1, "{{ text.aging }}")
    _table(f, 2, "aging", len(COLUMNS["aging"]) + 2)
    f["A5"] = "{{ charts.aging }}"
    _title(f, 22, "{{ text.owners }}")
    _table(f, 23, "overdue_by_owner", len(COLUMNS["overdue_by_owner"]))
    _title(f, 26, "{{ text.overdue }}")
    _table(f, 27, "overdue", len(COLUMNS["overdue"]))
    _title(f, 30, "{{ text.demand }}")
    _table(f, 31, "fund_demand", len(COLUMNS["fund_demand"]))

    e = wb.create_sheet(t("report.sheet.expenses", lang))
    _title(e, 1, "{{ text.expenses }}")
    _table(e, 2, "expenses_by_department", len(COLUMNS["expenses_by_department"]))
    _title(e, 5, "{{ text.expenses_category }}")
    _table(e, 6, "expenses_by_category", len(COLUMNS["expenses_by_category"]))
    _title(e, 9, "{{ text.expenses_budget }}")
    _table(e, 10, "expenses_by_budget", len(COLUMNS["expenses_by_budget"]))
    _title(e, 13, "{{ text.policy }}")
    _table(e, 14, "policy_findings", len(COLUMNS["policy_findings"]))

    r = wb.create_sheet(t("report.sheet.pay", lang))
    _title(r, 1, "{{ text.royalties }}")
    r["A2"] = "{{ text.pay_excluded if headline.not_computed else '' }}"
    r["A2"].font = BANNER_FONT
    _table(r, 3, "royalties", len(COLUMNS["royalties"]))
    _title(r, 6, "{{ text.salary }}")
    _table(r, 7, "floating_salary", len(COLUMNS["floating_salary"]))
    _title(r, 10, "{{ text.manual }}")
    _table(r, 11, "manual_adjustments", len(COLUMNS["manual_adjustments"]))

    m = wb.create_sheet(t("report.sheet.market", lang))
    _title(m, 1, "{{ text.feedback }}")
    _table(m, 2, "feedback_summary", len(COLUMNS["feedback_summary"]))
    _table(m, 5, "feedback", len(COLUMNS["feedback"]))
    _title(m, 8, "{{ text.trend }}")
    m["A9"] = "{{ text.forecast_note }}"
    _table(m, 10, "trend", len(COLUMNS["trend"]))
    _table(m, 13, "forecast", len(COLUMNS["forecast"]))
    # every chart under its tables, not beside them: the trend chart beside the trend table and the market charts
    # beside the customer columns made the sheet print at a quarter, then a third, of full size (issue 24)
    m["A15"] = "{{ charts.trend }}"
    _title(m, 32, "{{ text.market }}")
    _table(m, 33, "market_summary", 1)
    m.merge_cells("A34:H34")  # the sentences wrap across the tables' width (not one 160-character column)
    m["A34"].alignment = Alignment(wrap_text=True, vertical="top")
    m.row_dimensions[34].height = 30
    for row, name in ((36, "market_customers"), (39, "market_lines"), (42, "market_moves"), (45, "market_dso"),
                      (48, "market_late"), (51, "market_pipeline"), (54, "market_feedback")):
        _title(m, row, "{{ text.%s }}" % name)
        _table(m, row + 1, name, len(COLUMNS[name]))
    m["A57"] = "{{ charts.pareto }}"
    m["A74"] = "{{ charts.product_lines }}"

    q = wb.create_sheet(t("report.sheet.quality", lang))
    _title(q, 1, "{{ text.quality }}")
    q["A2"] = "{{ text.quality_note }}"
    _table(q, 3, "findings_summary", len(COLUMNS["findings_summary"]))
    _table(q, 6, "findings", len(COLUMNS["findings"]))
    return wb


def write_templates(folder: str | Path) -> list[Path]:
    """Write monthly_report.xlsx and monthly_report_zh.xlsx into ``folder`` (atomically)."""
    out = []
    for lang, name in (("en", "monthly_report.xlsx"), ("zh", "monthly_report_zh.xlsx")):
        wb = build_template(lang)
        out.append(save_workbook(wb, Path(folder) / name))
    return out


if __name__ == "__main__":  # python -m toolkit.report.xlsx_template templates
    for path in write_templates(sys.argv[1] if len(sys.argv) > 1 else "templates"):
        print(path)
