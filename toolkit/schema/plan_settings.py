"""The plan settings workbook (``toolkit plan settings``): what the director sets before drafting a plan.

Same conventions as the standards workbook: one Excel table per sheet named after the sheet, both
languages, dropdowns on the enumerations. Every sheet may be left empty; a blank settings workbook
drafts the plan with the documented defaults (docs/planning.md).
"""

from __future__ import annotations

from . import enums as E
from .department import MONTH_NAMES
from .model import ColType as T
from .model import Column, Enumeration, InfoField, Label, Table, WorkbookSchema

L = Label

#: Options and their defaults (fractions for the % options; money units for the Unit options).
OPTION = Enumeration("plan_option", {
    "Blend Last Year %": L("Blend Last Year %", "上年权重%"),
    "New Hire Share %": L("New Hire Share %", "新员工份额%"),
    "Unit Signing": L("Unit Signing", "签约取整单位"),
    "Unit Collection": L("Unit Collection", "回款取整单位"),
    "Unit Expense": L("Unit Expense", "费用取整单位"),
    "Unit Profit": L("Unit Profit", "利润取整单位"),
})
SALES_INDICATOR = Enumeration("sales_indicator", {
    "Signing": L("Signing", "签约"), "Collection": L("Collection", "回款")})
HELD_INDICATOR = Enumeration("held_indicator", {
    "Signing": L("Signing", "签约"), "Collection": L("Collection", "回款"), "Expense": L("Expense", "费用")})
MONTH = Enumeration("month_name", {f"{i:02d}": label for i, label in enumerate(MONTH_NAMES, start=1)})

OPTIONS = Table(
    "PlanOptions",
    L("Options", "选项"),
    (
        Column("option", L("Option", "选项"), T.TEXT, required=True, enum=OPTION, unique=True),
        Column("value", L("Value", "数值"), T.NUMBER, required=True, min_value=0),
    ),
    L("Blend Last Year % (weight of last year's share against the year before's, default 67%), New Hire Share % "
      "(a person without history gets this share of the department's average, default 50%), and the unit each "
      "indicator is rounded to (defaults 1,000; Expense 100).",
      "上年权重%（上年份额相对前年份额的权重，默认 67%）、"
      "新员工份额%（无历史人员按部门平均份额的该比例分配，默认 50%），以及各指标的取整单位（默认 1,000；费用 100）。"),
    required=False,
)

GROWTH = Table(
    "PlanGrowth",
    L("Growth", "增长"),
    (
        Column("indicator", L("Indicator", "指标"), T.TEXT, required=True, enum=SALES_INDICATOR),
        Column("department", L("Department", "部门"), T.TEXT,
               help=L("Blank: the whole company.", "留空表示全公司。")),
        Column("growth", L("Growth %", "增长率%"), T.PERCENT),
        Column("total", L("Total", "总额"), T.MONEY, min_value=0,
               help=L("Company rows only: a top-down annual total instead of last year × growth.",
                      "仅限全公司行：直接给定全年总额，代替“上年 × 增长”。")),
    ),
    L("Growth over last year's actuals per indicator, for the company (Department blank) or one department; "
      "or a typed company total.",
      "各指标相对上年实际的增长率：全公司（部门留空）或某个部门；也可直接填写全公司总额。"),
    required=False,
)

HOLDS = Table(
    "PlanHolds",
    L("Held Values", "锁定值"),
    (
        Column("indicator", L("Indicator", "指标"), T.TEXT, required=True, enum=HELD_INDICATOR),
        Column("department", L("Department", "部门"), T.TEXT),
        Column("employee_id", L("Employee ID", "工号"), T.TEXT),
        Column("month", L("Month", "月份"), T.TEXT, enum=MONTH,
               help=L("Blank: the annual figure. A month only for a person.", "留空表示全年数。月份仅限个人。")),
        Column("value", L("Value", "数值"), T.MONEY, required=True, min_value=0),
        # issue 28: a department's budget for an expense category (Indicator Expense, Employee ID blank); last, so
        # the columns before keep their letters; settings workbooks made before it have none (quietly)
        Column("category", L("Category", "类别"), T.TEXT, enum=E.EXPENSE_CATEGORY, quiet=True,
               help=L("Expense only, Employee ID blank: the department's budget for this category (annual, or the "
                      "Month's).", "仅限费用指标且工号留空：本部门该类别的预算（全年，或所填月份）。")),
    ),
    L("Figures that stay exactly as typed: a department's annual figure (Employee ID blank), a person's annual "
      "figure or a person's month, or a department's budget for an expense category (Category, annual or a month); "
      "the others absorb the difference pro-rata.",
      "保持原样的数值：某部门全年数（工号留空）、某人全年数或某人某月数，或某部门某费用类别的预算（类别，全年或某月）；"
      "其余数值按比例吸收差额。"),
    required=False,
)

NEW_HIRES = Table(
    "PlanShares",
    L("Shares", "份额"),
    (
        Column("employee_id", L("Employee ID", "工号"), T.TEXT, required=True, unique=True),
        Column("share", L("Share %", "份额%"), T.PERCENT, required=True, min_value=0,
               help=L("Of the department's average share (100% = an average salesperson).",
                      "相对本部门平均份额（100% 即平均水平）。")),
    ),
    L("A person's share of the department's average, for new hires (default New Hire Share %) or anyone else.",
      "个人相对部门平均份额的比例：用于新员工（默认取“新员工份额%”）或其他人员。"),
    required=False,
)

EXPENSE_RATIOS = Table(
    "PlanExpense",
    L("Expense Ratios", "费用比例"),
    (
        Column("department", L("Department", "部门"), T.TEXT, required=True, unique=True),
        Column("basis", L("Basis", "基数"), T.TEXT, enum=SALES_INDICATOR,
               help=L("Blank: Collection.", "留空表示回款。")),
        Column("ratio", L("Ratio %", "比例%"), T.PERCENT, min_value=0,
               help=L("Blank: last year's expense ÷ basis.", "留空表示上年费用 ÷ 基数。")),
    ),
    L("A department's expense budget as a ratio of its Signing or Collection target.",
      "部门费用预算 = 签约或回款目标 × 比例。"),
    required=False,
)

PLAN_SETTINGS = WorkbookSchema(
    "plan-settings",
    L("Plan settings", "计划设置"),
    (OPTIONS, GROWTH, HOLDS, NEW_HIRES, EXPENSE_RATIOS),
    (InfoField("year", L("Year", "年度"), T.INTEGER),),
)
