"""The catalog of findings: every finding code, declared once, with its severity, tags and both languages' texts.

Modelled on frictionless-py's error catalog: a stable kebab-case code, a title and a message template in English and
Chinese (``str.format`` templates; ``*_zh`` parameters carry the Chinese form of a label). The module holds data
only and imports nothing of the toolkit, so ``toolkit.core.findings`` loads it whole at import: a code resolves in
any process, whichever module raised it. Lists of codes elsewhere are tag queries (``codes("policy")``), never
hand-kept. docs/findings.md lists the catalog by the tags of where a code is raised (a test keeps them equal).

Tags: where a code is raised (``reader``, ``rule``, ``across-files``, ``royalties``, ``appraisal``, ``planning``,
``approval``: exactly one each), and what a code is to others: ``habit`` (a habit of hand-kept workbooks the reader
undoes or stops, issue 14), ``policy`` (the report's expense and advance policy findings), ``unreliable`` (a warning
that still makes a computed number unreliable: listed with results, ``Ledger.unreliable_findings``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SEVERITIES = ("error", "warning", "info")
#: Where a code is raised: each code carries exactly one of these tags (the sections of docs/findings.md).
ORIGINS = ("reader", "rule", "across-files", "royalties", "appraisal", "planning", "approval")
#: What a code is to the rest of the toolkit.
ROLES = ("habit", "policy", "unreliable")


@dataclass(frozen=True)
class FindingType:
    """One entry of the catalog: a stable kebab-case code, its severity, title, message and tags."""

    code: str
    severity: str
    title: tuple[str, str]  # (en, zh)
    template: tuple[str, str]  # (en, zh), formatted with the finding's params
    tags: frozenset[str] = frozenset()

    def render(self, lang: str, params: dict[str, Any]) -> str:
        """The message; a parameter the finding lacks (one stored before the template gained it, such as the
        ``hint`` of ``unknown-employee``) renders as empty text."""
        text = self.template[1] if lang == "zh" else self.template[0]
        return text.format_map(_Blank(params))


class _Blank(dict):
    """Message parameters; a missing one is empty text."""

    def __missing__(self, key: str) -> str:
        return ""


CATALOG: dict[str, FindingType] = {}


def _(code: str, severity: str, title: tuple[str, str], template: tuple[str, str], *, tags: tuple[str, ...]) -> None:
    """Declare ``code`` (once: a second declaration is a mistake)."""
    assert severity in SEVERITIES, severity
    assert code not in CATALOG, f"finding code {code!r} declared twice"
    assert len(set(tags) & set(ORIGINS)) == 1 and set(tags) <= set(ORIGINS) | set(ROLES), (code, tags)
    CATALOG[code] = FindingType(code, severity, title, template, frozenset(tags))

# --- raised while reading (toolkit.io.reader, toolkit.io.tidy) ----------------------------------------------
_("type-error", "error", ("Wrong type", "类型错误"),
  ("{sheet}!{cell}: {value!r} is not a valid {expected}.", "{sheet}!{cell}：“{value}”不是有效的{expected_zh}。"),
  tags=("reader", "unreliable"))
_("formula-error", "error", ("Formula error", "公式错误"),
  ("{sheet}!{cell}: the cell holds the error {value}.", "{sheet}!{cell}：单元格为错误值 {value}。"),
  tags=("reader", "unreliable"))
_("extra-column", "info", ("Extra column", "多余列"),
  ("{sheet}!{cell}: column {column!r} is not part of the template; it is kept but not used.",
   "{sheet}!{cell}：列“{column}”不属于模板，已保留但不参与计算。"),
  tags=("reader",))
_("sheet-missing-optional", "info", ("Optional sheet missing", "缺少可选工作表"),
  ("Sheet {sheet!r} is missing; it is treated as empty.", "缺少工作表“{sheet}”，按空表处理。"),
  tags=("reader",))
_("column-missing-optional", "warning", ("Optional column missing", "缺少可选列"),
  ("{sheet}: column {column!r} is missing; it is treated as blank.", "{sheet}：缺少列“{column}”，按空白处理。"),
  tags=("reader", "unreliable"))
_("column-missing-stops", "error", ("Column missing: figures would be wrong", "缺少列：数字将出错"),
  ("{sheet}: column {column!r} is missing; without it {needed}. Add the column (leave it empty where it does "
   "not apply).",
   "{sheet}：缺少列“{column}”；没有该列，{needed_zh}。请补上该列（不适用处留空）。"),
  tags=("reader", "habit"))
_("column-missing-needed", "warning", ("Column missing: figures not computable", "缺少列：相关数字无法计算"),
  ("{sheet}: column {column!r} is missing, so {needed} are not computed for this workbook (left blank, not "
   "zero); add the column to compute them.",
   "{sheet}：缺少列“{column}”，因此本工作簿的{needed_zh}不予计算（留空而非按零计）；补上该列即可计算。"),
  tags=("reader", "habit", "unreliable"))
_("file-repaired", "info", ("File read after a repair", "文件经修复后读取"),
  ("The file was read from a repaired copy: {what}. The file itself is unchanged.",
   "文件已从修复后的副本读取：{what_zh}。原文件未改动。"),
  tags=("reader", "habit"))
_("format-limited", "warning", ("What this format cannot show", "该格式无法提供的信息"),
  ("Read from {value}: in this format error cells (#N/A …) and formulas saved without a value look blank to "
   "the reader; save it as .xlsx to have them checked.",
   "从 {value} 文件读取：此格式中的错误值（#N/A 等）和未保存结果的公式在读取时与空白无法区分；另存为 .xlsx 可对其检查。"),
  tags=("reader", "habit"))
_("unit-scaled", "info", ("Amounts scaled by the header's unit", "按表头单位换算金额"),
  ("{sheet}!{cell}: header {column!r} gives the unit; its amounts were multiplied by {factor}.",
   "{sheet}!{cell}：表头“{column}”注明了单位，该列金额已乘以{factor}。"),
  tags=("reader", "habit"))
_("total-row", "warning", ("Totals row left out", "合计行未计入"),
  ("{sheet}!{cell}: row {row} is a totals or subtotal row ({value!r}); it is left out of the table.",
   "{sheet}!{cell}：第{row}行是合计或小计行（“{value}”），未计入数据。"),
  tags=("reader", "habit"))
_("notes-row", "warning", ("Notes row left out", "备注行未计入"),
  ("{sheet}!{cell}: row {row} holds only a note ({value!r}); it is left out of the table.",
   "{sheet}!{cell}：第{row}行只有备注文字（“{value}”），未计入数据。"),
  tags=("reader", "habit"))
_("merged-filled", "info", ("Merged cell filled down", "合并单元格已向下填充"),
  ("{sheet}!{cell}: merged cell {value!r} was read in each of its {rows} rows.",
   "{sheet}!{cell}：合并单元格“{value}”已按其所跨的{rows}行逐行读取。"),
  tags=("reader", "habit"))
_("id-normalized", "info", ("ID normalised", "编号已规范化"),
  ("{sheet}!{cell}{more}: {value!r} was read as {read_as!r} (full-width characters or spaces in {column}).",
   "{sheet}!{cell}{more_zh}：“{value}”按“{read_as}”读取（“{column}”中含全角字符或空格）。"),
  tags=("reader", "habit"))
_("numeric-date", "info", ("Date typed as a number", "日期以数字录入"),
  ("{sheet}!{cell}{more}: the number {value} was read as the date {read_as}.",
   "{sheet}!{cell}{more_zh}：数字{value}按日期{read_as}读取。"),
  tags=("reader", "habit"))
_("percent-as-points", "info", ("Percentages typed as points", "百分比按百分点录入"),
  ("{sheet}!{cell}{more}: column {column!r} holds numbers like {value} beyond a fraction's range, so they "
   "were read as percent ({value} = {value}%).",
   "{sheet}!{cell}{more_zh}：“{column}”列的数值（如{value}）超出小数比例的范围，已按百分数读取（{value} 即 {value}%）。"),
  tags=("reader", "habit"))
_("percent-ambiguous", "error", ("Percentage ambiguous", "百分比含义不明"),
  ("{sheet}!{cell}: {value} is ambiguous in column {column!r}, which is typed in points: write {value}% "
   "for {value} percent, or type the whole column as fractions (0.03 for 3%).",
   "{sheet}!{cell}：“{column}”列按百分点录入，{value}含义不明：如指{value}%请写成{value}%，"
   "或整列改用小数（3% 写作 0.03）。"),
  tags=("reader", "habit", "unreliable"))
_("formula-no-value", "error", ("Formulas saved without values", "公式未保存计算结果"),
  ("{sheet}!{cell}{more}: {count} cell(s) of {column!r} hold a formula saved without its result "
   "(cells {listed}); open and save the file in Excel or WPS so the results are stored.",
   "{sheet}!{cell}{more_zh}：“{column}”列有{count}个单元格的公式未保存计算结果（{listed}）；"
   "请用 Excel 或 WPS 打开并保存该文件，使结果保存下来。"),
  tags=("reader", "habit", "unreliable"))
_("formula-evaluated", "info", ("Formulas computed by the toolkit", "公式由工具计算"),
  ("{sheet}!{cell}{more}: {count} cell(s) of {column!r} hold a formula saved without its result (cells "
   "{listed}); the toolkit computed them. Open and save the file in Excel or WPS to store Excel's own results.",
   "{sheet}!{cell}{more_zh}：“{column}”列有{count}个单元格的公式未保存计算结果（{listed}），已由工具计算；"
   "用 Excel 或 WPS 打开并保存可存入 Excel 自己的结果。"),
  tags=("reader", "habit"))
_("extra-sheet-data", "error", ("Data on an extra sheet", "数据位于多余的工作表"),
  ("{sheet}!{cell}: sheet {value!r} has the {target_en} header and data rows that are not read; move its rows "
   "into the {target_en} table (or delete the sheet).",
   "{sheet}!{cell}：工作表“{value}”带有“{target_zh}”的表头和数据行，但这些行不会被读取；请把这些行移到“{target_zh}”表中（或删除该工作表）。"),
  tags=("reader", "habit", "unreliable"))

# --- raised by the validation rules (toolkit.core.validation) -----------------------------------------------
_("required-missing", "error", ("Required value missing", "缺少必填值"),
  ("{sheet}!{cell}: {column!r} is required.", "{sheet}!{cell}：“{column}”为必填项。"),
  tags=("rule", "unreliable"))
_("enum-invalid", "error", ("Value not in the list", "取值不在列表中"),
  ("{sheet}!{cell}: {value!r} is not one of: {allowed}.", "{sheet}!{cell}：“{value}”不在可选值中：{allowed_zh}。"),
  tags=("rule",))
_("out-of-range", "error", ("Value out of range", "数值超出范围"),
  ("{sheet}!{cell}: {column} {value} is below the minimum {minimum}.",
   "{sheet}!{cell}：“{column}”{value}低于下限{minimum}。"),
  tags=("rule",))
_("duplicate-key", "error", ("Duplicate key", "重复编号"),
  ("{sheet}!{cell}: {column} {value!r} already appears in row {first_row}.",
   "{sheet}!{cell}：“{column}”{value}与第{first_row}行重复。"),
  tags=("rule", "unreliable"))
_("date-out-of-period", "error", ("Date outside the plausible window", "日期超出合理范围"),
  ("{sheet}!{cell}: {value} is outside {start}..{end} (the workbook's year {year} ± {years} years).",
   "{sheet}!{cell}：{value}不在{start}至{end}之间（工作簿年度{year}前后{years}年）。"),
  tags=("rule", "unreliable"))
_("plan-year-mismatch", "error", ("Plan year differs from the period", "计划年度与报告期不符"),
  ("Info!Year is {value} but the period is {period}: the Plan holds {value}'s targets. Roll the workbook into "
   "{period_year} (set Year and enter the {period_year} Plan; keep earlier rows, they are history).",
   "信息表年度为 {value}，报告期为 {period}：计划表是 {value} 年的目标。请把工作簿转入 {period_year} 年"
   "（修改年度并填写 {period_year} 年计划；以前的记录保留，作为历史）。"),
  tags=("rule",))
_("date-after-period", "warning", ("Date after the reporting period", "日期晚于报告期"),
  ("{sheet}!{cell}: {value} is after the reporting period {period}.",
   "{sheet}!{cell}：{value}晚于报告期{period}。"),
  tags=("rule",))
_("standards-missing", "warning", ("No standards workbook", "缺少标准工作簿"),
  ("No standards workbook was given: the Roster, expense policy, holiday and balance checks were skipped.",
   "未提供标准工作簿：已跳过人员名册、费用标准、节假日和余额相关检查。"),
  tags=("rule",))
_("period-missing", "warning", ("No reporting period", "缺少报告期"),
  ("No reporting period (Info sheet or --period): the period checks were skipped.",
   "没有报告期（信息表或 --period）：已跳过与报告期相关的检查。"),
  tags=("rule",))
_("unknown-employee", "error", ("Employee not in the Roster", "工号不在人员名册中"),
  ("{sheet}!{cell}: employee {value!r} is not in the standards Roster{hint}.",
   "{sheet}!{cell}：工号“{value}”不在标准工作簿的人员名册中{hint_zh}。"),
  tags=("rule", "unreliable"))
_("leave-before-start", "error", ("Leave Date before Start Date", "离职日期早于入职日期"),
  ("{sheet}!{cell}: {employee}'s Leave Date {value} is before their Start Date {start}.",
   "{sheet}!{cell}：{employee} 的离职日期 {value} 早于入职日期 {start}。"),
  tags=("rule",))
_("roster-change-out-of-year", "error", ("Roster change far from the year", "人员变动日期不在年度内"),
  ("{sheet}!{cell}: the change is dated {value}, outside the Plausible Years around {year}.",
   "{sheet}!{cell}：变动日期 {value} 不在 {year} 年前后的合理年份范围内。"),
  tags=("rule",))
_("roster-change-outside-employment", "error", ("Roster change outside employment", "人员变动不在在职期间"),
  ("{sheet}!{cell}: the change is dated {value}, outside the person's employment (start {start}, leave "
   "{leave}).", "{sheet}!{cell}：变动日期 {value} 不在此人在职期间内（入职 {start}，离职 {leave}）。"),
  tags=("rule",))
_("roster-change-conflict", "error", ("Roster changes contradict each other", "人员变动相互矛盾"),
  ("{sheet}!{cell}: {value!r} contradicts {other!r} for the same person from {month}; keep one.",
   "{sheet}!{cell}：同一人自 {month} 起的“{value}”与“{other}”相互矛盾，请只保留一个。"),
  tags=("rule",))
_("plan-not-in-force", "error", ("Plan used before its Valid From", "方案在生效月份之前被使用"),
  ("{sheet}!{cell}: plan {value!r} is used from {month}, but its first Royalty Plans row is valid from {first}; "
   "give it a row with a blank or earlier Valid From, or use it from {first}.",
   "{sheet}!{cell}：方案“{value}”自 {month} 起使用，但其最早的提成方案行生效月份为 {first}；请增加一行生效月份为空或更早的"
   "记录，或自 {first} 起使用。"),
  tags=("rule",))
_("valid-from-out-of-year", "error", ("Valid From after the year", "生效月份晚于年度"),
  ("{sheet}!{cell}: Valid From {value} is after {year}, so these terms are never in force in {year}; date them "
   "in {year}, or keep them for next year's standards.",
   "{sheet}!{cell}：生效月份 {value} 晚于 {year} 年，这些条款在 {year} 年内不会生效；请填写 {year} 年的月份，或留到下一年度的"
   "标准工作簿中。"),
  tags=("rule",))
_("version-gap", "error", ("No version in force from January", "1月起无适用版本"),
  ("{sheet}!{cell}: {what} is valid from {value} only, so {year}-01 to {before} have no terms; give it a row "
   "with a blank Valid From (in force from January).",
   "{sheet}!{cell}：{what_zh}仅自 {value} 起生效，{year}-01 至 {before} 没有适用条件；请增加一行生效月份为空（自 1 月起适用）"
   "的记录。"),
  tags=("rule",))
_("version-grade-renamed", "error", ("Appraisal grade not in the first version", "考核等级与首个版本不一致"),
  ("{sheet}!{cell}: grade {value!r} (valid from {month}) is not a grade of the first version ({grades}); the "
   "ranking, its distribution and the performance files compare grades across months, so a version changes "
   "scores and coefficients, not the grades' names.",
   "{sheet}!{cell}：等级“{value}”（生效月份 {month}）不在首个版本的等级（{grades}）中；考核排名、等级分布和绩效档案按月份"
   "比较等级，版本只能改变得分区间和系数，不能改变等级名称。"),
  tags=("rule",))
_("dated-after-leaving", "warning", ("Dated after the person left", "日期晚于离职日期"),
  ("{sheet}!{cell}: {employee} left on {leave}, but this row is dated {value}; check the date or who it belongs "
   "to.", "{sheet}!{cell}：{employee} 已于 {leave} 离职，此行日期却为 {value}；请核对日期或归属人。"),
  tags=("rule",))
_("target-before-start", "warning", ("Target before the start date", "入职前有目标"),
  ("{sheet}!{cell}: {employee} starts on {date}, but has a target in {month}; targets count only for months "
   "employed.", "{sheet}!{cell}：{employee} 于 {date} 入职，但 {month} 有目标；目标只计在职月份。"),
  tags=("rule",))
_("target-after-leaving", "warning", ("Target after the leave date", "离职后有目标"),
  ("{sheet}!{cell}: {employee} left on {date}, but has a target in {month}; targets count only for months "
   "employed.", "{sheet}!{cell}：{employee} 已于 {date} 离职，但 {month} 有目标；目标只计在职月份。"),
  tags=("rule",))
_("unknown-contract", "error", ("Contract not found", "找不到合同"),
  ("{sheet}!{cell}: contract {value!r} is not on the Contracts sheet.",
   "{sheet}!{cell}：合同“{value}”不在合同表中。"),
  tags=("rule", "unreliable"))
_("unknown-product-line", "error", ("Product line not in the standards", "产品线不在标准中"),
  ("{sheet}!{cell}: product line {value!r} is not in the standards Product Lines.",
   "{sheet}!{cell}：产品线“{value}”不在标准工作簿的产品线表中。"),
  tags=("rule", "unreliable"))
_("unknown-city", "warning", ("City not in the standards", "城市不在标准中"),
  ("{sheet}!{cell}: city {value!r} is not in the standards Cities; its policy limit cannot be checked.",
   "{sheet}!{cell}：城市“{value}”不在标准工作簿的城市表中，无法核对费用标准。"),
  tags=("rule",))
_("split-same-employee", "error", ("Split to the owner", "分成给合同负责人本人"),
  ("{sheet}!{cell}: the split employee {value!r} is the contract's own employee.",
   "{sheet}!{cell}：分成工号“{value}”与合同负责人相同。"),
  tags=("rule",))
_("split-share-invalid", "error", ("Invalid split share", "分成比例无效"),
  ("{sheet}!{cell}: a split needs both a Split Employee ID and a Split Share strictly between 0% and 100% (got {value}).",
   "{sheet}!{cell}：分成需要同时填写分成工号和介于0%与100%之间（不含）的分成比例（当前为{value}）。"),
  tags=("rule",))
_("plan-annual-mismatch", "error", ("Annual differs from the months", "全年与各月之和不符"),
  ("{sheet}!{cell}: Annual {value} differs from the sum of the months {total} by more than {tolerance}.",
   "{sheet}!{cell}：全年{value}与各月之和{total}相差超过{tolerance}。"),
  tags=("rule",))
_("budget-plan-mismatch", "warning", ("Budget differs from the Expense plan", "预算与费用计划不符"),
  ("{sheet}!{cell}: the categories' budgets for {month} add up to {value}, the Plan's Expense targets to {plan}: "
   "{gap} to move ({direction}).",
   "{sheet}!{cell}：{month_zh}各类别预算合计 {value}，计划表费用指标合计 {plan}：相差 {gap}（{direction_zh}）。"),
  tags=("rule",))
_("plan-indicator-missing", "error", ("Indicator missing from the plan", "计划缺少指标"),
  ("{sheet}!{cell}: salesperson {employee} has no {indicator} target.",
   "{sheet}!{cell}：销售人员{employee}没有“{indicator_zh}”指标。"),
  tags=("rule",))
_("plan-duplicate", "error", ("Indicator planned twice", "指标重复"),
  ("{sheet}!{cell}: {employee} already has a {indicator} target in row {first_row}.",
   "{sheet}!{cell}：{employee}的“{indicator_zh}”指标已在第{first_row}行填写。"),
  tags=("rule",))
_("delivered-exceeds-amount", "error", ("Delivered over the contract amount", "已履约金额超过合同金额"),
  ("{sheet}!{cell}: Delivered {value} exceeds the contract amount {amount}.",
   "{sheet}!{cell}：已履约金额{value}超过合同金额{amount}。"),
  tags=("rule",))
_("collection-exceeds-contract", "error", ("Collections over the contract amount", "回款超过合同金额"),
  ("{sheet}!{cell}: receipts on contract {contract} total {value}, more than its amount {amount}.",
   "{sheet}!{cell}：合同{contract}的回款合计{value}，超过合同金额{amount}。"),
  tags=("rule", "unreliable"))
_("receipt-before-signing", "error", ("Receipt before signing", "回款早于签订"),
  ("{sheet}!{cell}: receipt dated {value} is before contract {contract} was signed on {signed}.",
   "{sheet}!{cell}：回款日期{value}早于合同{contract}的签订日期{signed}。"),
  tags=("rule",))
_("receipt-after-termination", "warning", ("Receipt on a terminated contract", "已终止合同仍有回款"),
  ("{sheet}!{cell}: contract {contract} is Terminated but receives {value} in or after {period}.",
   "{sheet}!{cell}：合同{contract}已终止，但在{period}或之后仍有回款{value}。"),
  tags=("rule",))
_("over-policy-limit", "error", ("Over the expense policy", "超出费用标准"),
  ("{sheet}!{cell}: {value} is over the {category} limit {limit} for grade {grade}, city tier {tier}.",
   "{sheet}!{cell}：{value}超出{category_zh}标准{limit}（职级{grade}，城市级别{tier}）。"),
  tags=("rule", "policy"))
_("receipt-missing", "warning", ("Receipt missing", "缺少票据"),
  ("{sheet}!{cell}: a claim of {amount} needs a receipt (required over {threshold}).",
   "{sheet}!{cell}：金额{amount}的报销需要票据（超过{threshold}须提供）。"),
  tags=("rule", "policy"))
_("duplicate-claim", "warning", ("Possible duplicate claim", "疑似重复报销"),
  ("{sheet}!{cell}: same employee, date, category and amount as the claim in row {first_row}.",
   "{sheet}!{cell}：与第{first_row}行的员工、日期、类别和金额均相同。"),
  tags=("rule", "policy"))
_("weekend-expense", "warning", ("Weekend expense", "周末费用"),
  ("{sheet}!{cell}: the expense is dated {value}, a weekend.", "{sheet}!{cell}：费用日期{value}为周末。"),
  tags=("rule", "policy"))
_("holiday-expense", "warning", ("Holiday expense", "节假日费用"),
  ("{sheet}!{cell}: the expense is dated {value}, an official holiday.",
   "{sheet}!{cell}：费用日期{value}为法定节假日。"),
  tags=("rule", "policy"))
_("advance-over-limit", "error", ("Advances over the limit", "借款超过上限"),
  ("{sheet}!{cell}: employee {employee} has {value} outstanding, over the limit {limit}.",
   "{sheet}!{cell}：员工{employee}未还借款{value}，超过上限{limit}。"),
  tags=("rule", "policy"))
_("advance-overdue", "warning", ("Advance overdue", "借款逾期未还"),
  ("{sheet}!{cell}: the advance was due on {value} and {outstanding} is still outstanding.",
   "{sheet}!{cell}：借款应于{value}归还，仍有{outstanding}未还。"),
  tags=("rule", "policy"))
_("repaid-exceeds-advance", "error", ("Repaid more than advanced", "已还金额超过借款"),
  ("{sheet}!{cell}: Repaid {value} is more than the advance {amount}.",
   "{sheet}!{cell}：已还金额{value}超过借款金额{amount}。"),
  tags=("rule",))
_("leave-end-before-start", "error", ("Leave ends before it starts", "休假结束早于开始"),
  ("{sheet}!{cell}: End {value} is before Start {start}.", "{sheet}!{cell}：结束日期{value}早于开始日期{start}。"),
  tags=("rule",))
_("leave-days-mismatch", "error", ("Leave days differ from working days", "休假天数与工作日不符"),
  ("{sheet}!{cell}: Days is {value} but {start}..{end} has {workdays} working days.",
   "{sheet}!{cell}：天数为{value}，但{start}至{end}共有{workdays}个工作日。"),
  tags=("rule",))
_("leave-over-balance", "error", ("Annual leave over the balance", "年假超过余额"),
  ("{sheet}!{cell}: {value} days of annual leave exceed the balance {remaining} left of {balance} for {employee}.",
   "{sheet}!{cell}：{employee}的年假{value}天超过剩余额度{remaining}天（全年{balance}天）。"),
  tags=("rule",))
_("leave-overlap", "error", ("Overlapping leave", "休假时间重叠"),
  ("{sheet}!{cell}: this request overlaps the request in row {other_row} for {employee}.",
   "{sheet}!{cell}：该申请与{employee}第{other_row}行的申请时间重叠。"),
  tags=("rule",))
_("forecast-not-future", "warning", ("Forecast month not after the period", "预测月份不晚于报告期"),
  ("{sheet}!{cell}: forecast month {value} is not after the reporting period {period}.",
   "{sheet}!{cell}：预测月份{value}不晚于报告期{period}。"),
  tags=("rule",))
_("forecast-duplicate-month", "warning", ("Forecast month repeated", "预测月份重复"),
  ("{sheet}!{cell}: month {value} is already forecast in row {first_row}.",
   "{sheet}!{cell}：月份{value}已在第{first_row}行预测。"),
  tags=("rule",))
_("percent-out-of-range", "error", ("Percentage out of its plausible range", "百分比超出合理范围"),
  ("{sheet}!{cell}: {column} {value} is outside {low}..{high}; correct the value (percent columns hold 3% or 0.03).",
   "{sheet}!{cell}：“{column}”{value}超出{low}至{high}的合理范围；请更正（百分比列填写 3% 或 0.03）。"),
  tags=("rule", "habit"))
_("weights-not-100", "error", ("Weights do not add up to 100%", "权重合计不等于100%"),
  ("{sheet}!{cell}: the {column} values add up to {value}, not 100%; correct them so they do.",
   "{sheet}!{cell}：“{column}”合计为{value}，不等于100%；请调整使其合计为100%。"),
  tags=("rule", "habit"))
_("department-near-miss", "warning", ("Department named differently from the Roster", "部门名称与人员名册不一致"),
  ("{sheet}!{cell}: department {value!r} is read as the Roster's {closest!r}; write {closest!r} to silence this.",
   "{sheet}!{cell}：部门“{value}”按人员名册中的“{closest}”处理；改写为“{closest}”即可消除此提示。"),
  tags=("rule", "habit"))
_('unknown-department', 'error', ('Department not in the Roster', '部门不在人员名册中'),
  ("{sheet}!{cell}: department {value!r} is not a Roster department{hint}: its people would not be computed. Write the Roster's name, or give this name in the Roster's 'Department (other language)' column.",
   '{sheet}!{cell}：部门“{value}”不在人员名册的部门中{hint_zh}，其人员将无法计算。请填写人员名册中的部门名称，或在人员名册的“部门(另一语言)”列中登记该名称。'),
  tags=('rule', 'habit'))

# --- across files: the ledger loader, consolidation, the month close and the payout ledger ------------------
_("file-unreadable", "error", ("File cannot be read", "文件无法读取"), ("{detail}", "{detail_zh}"),
  tags=("across-files", "unreliable"))
_("contract-in-two-departments", "warning", ("Contract in two departments", "合同出现在两个部门"),
  (("{sheet}!{cell}: Contract No {value!r} is also in {department}'s workbook ({other_file}, row "
    "{other_row}); a contract counted in two departments is paid and reported twice."),
   ("{sheet}!{cell}：合同编号“{value}”也出现在{department}的工作簿中（{other_file}，第 {other_row} 行）；"
    "同一合同计入两个部门会重复计提成、重复统计。")),
  tags=("across-files",))
_("department-not-consolidated", "error", ("Department not consolidated", "部门未汇总"),
  ("{value} was not consolidated ({status}): {reason}. Its figures are missing from this report.",
   "{value} 未汇总（{status_zh}）：{reason}。本报告不含其数据。"),
  tags=("across-files",))
_("ledger-note", "warning", ("Payout ledger", "支付台账"), ("{text}", "{text_zh}"),
  tags=("across-files",))
_("ledger-info", "info", ("Payout ledger", "支付台账"), ("{text}", "{text_zh}"),
  tags=("across-files",))
_("restated-closed-month", "warning", ("Closed month restated", "已结账月份数据被重述"),
  ("{value} was closed with {indicator} {before}; the current data gives {after} ({change}). The report's "
   "month-on-month, year-on-year and trend figures show {value} as it was closed.",
   "{value} 结账时{indicator_zh}为 {before}；按当前数据为 {after}（{change}）。本报告的环比、同比和趋势数据采用结账时的数字。"),
  tags=("across-files",))
_("backdated-into-closed-period", "warning", ("Row dated in a closed period", "记录日期落在已结账期间"),
  ("{sheet}!{cell}: {what} {value} dated {date} falls in {month}, which was closed on {closed_at} "
   "without it; the difference is paid at the next close as an itemised adjustment.",
   "{sheet}!{cell}：{what_zh}“{value}”的日期 {date} 属于已于 {closed_at} 结账的 {month}，结账时没有这条记录；"
   "差额将在下次结账时作为逐项调整支付。"),
  tags=("across-files",))

# --- raised by the royalty computation (toolkit.core.royalties) ---------------------------------------------
_("royalty-unknown-contract", "warning", ("Receipt for an unknown contract", "回款对应的合同不存在"),
  ("{sheet} row {row}: receipt {receipt_no!r} names contract {value!r}, which is not in Contracts; "
   "it earns no royalty.",
   "{sheet} 第 {row} 行：收款“{receipt_no}”对应的合同“{value}”不在合同表中，不计提成。"),
  tags=("royalties",))
_("royalty-unknown-employee", "warning", ("Credit to an unknown employee", "业绩归属的员工不在名册"),
  ("{sheet} row {row}: contract {contract_no!r} credits employee {value!r}, who is not in the Roster; "
   "the credit earns no royalty.",
   "{sheet} 第 {row} 行：合同“{contract_no}”的业绩归属员工“{value}”不在人员名册中，不计提成。"),
  tags=("royalties",))
_("royalty-no-plan", "warning", ("Employee without a royalty plan", "员工没有提成方案"),
  ("Employee {value} ({name}) has credited business this year ({amount}) but no Royalty Plan in the Roster.",
   "员工 {value}（{name}）本年有业绩（{amount}），但人员名册中没有提成方案。"),
  tags=("royalties",))
_("royalty-unknown-plan", "warning", ("Unknown royalty plan", "提成方案不存在"),
  ("Employee {employee_id}: Royalty Plan {value!r} is not in Royalty Plans (or its Basis/Method is not "
   "recognised); no royalty is computed.",
   "员工 {employee_id}：提成方案“{value}”不在提成方案表中（或计提基础/计算方法无法识别），不计算提成。"),
  tags=("royalties",))
_("royalty-no-tiers", "warning", ("Royalty plan without tiers", "提成方案没有档位"),
  ("Royalty plan {value!r} has no rows in Royalty Tiers; its royalty is 0.",
   "提成方案“{value}”在提成档位表中没有任何档位，提成为 0。"),
  tags=("royalties",))
_("royalty-no-target", "warning", ("No target for the royalty basis", "提成计提指标没有目标"),
  ("Employee {value}: the YTD {indicator} target is 0 or missing, so completion cannot be measured "
   "and the royalty is 0.",
   "员工 {value}：年累计{indicator_zh}目标为 0 或缺失，无法计算完成率，提成为 0。"),
  tags=("royalties",))
_("royalty-no-tier", "warning", ("Completion outside every tier", "完成率不在任何档位内"),
  ("Employee {value}: YTD completion {completion} falls in no tier of plan {plan!r}; the rate is 0.",
   "员工 {value}：年累计完成率 {completion} 不在方案“{plan}”的任何档位内，提成比例为 0。"),
  tags=("royalties",))
_("royalty-unknown-product-line", "warning", ("Unknown product line", "产品线不存在"),
  ("Product line {value!r} is not in Product Lines; its royalty factor is taken as 1.",
   "产品线“{value}”不在产品线表中，提成系数按 1 计。"),
  tags=("royalties",))
_("royalty-clawback", "info", ("Royalty clawback", "提成追回"),
  ("Employee {value} ({name}): the YTD royalty fell from {previous} to {current}; {amount} is clawed back.",
   "员工 {value}（{name}）：年累计提成由 {previous} 降至 {current}，追回 {amount}。"),
  tags=("royalties",))

# --- raised by the appraisal (toolkit.core.appraisal) -------------------------------------------------------
_("appraisal-no-completion", "warning", ("No completion for an appraisal indicator", "考核指标没有完成率"),
  ("Employee {value}: no YTD completion for {indicators} (no target); counted as 0 in the appraisal score.",
   "员工 {value}：{indicators_zh} 没有年累计完成率（无目标），考核得分按 0 计。"),
  tags=("appraisal",))
_("appraisal-no-band", "warning", ("Score outside every appraisal band", "考核得分不在任何区间内"),
  ("Employee {value}: appraisal score {score} falls in no band of the Appraisal sheet; coefficient 0.",
   "员工 {value}：考核得分 {score} 不在考核表的任何区间内，系数按 0 计。"),
  tags=("appraisal",))
_("appraisal-default", "info", ("Default appraisal coefficient", "按默认系数考核"),
  ("Employee {value} ({name}): {reason} ({coefficient}).", "员工 {value}（{name}）：{reason_zh}（{coefficient}）。"),
  tags=("appraisal",))
_("appraisal-no-review", "warning", ("No review for an appraisal item", "考评项目没有评分"),
  ("Employee {value}: no review score for {items} this year; counted as 0 in the appraisal score.",
   "员工 {value}：本年度 {items} 没有考评得分，考核得分按 0 计。"),
  tags=("appraisal",))
_("appraisal-weights", "warning", ("Appraisal weights do not add up to 100%", "考核权重之和不等于 100%"),
  ("The Appraisal weights add up to {value}, not 100%.", "考核权重之和为 {value}，不等于 100%。"),
  tags=("appraisal",))

# --- raised by the Reviews rules (toolkit.core.validation.reviews, issue 31) ---------------------------------
_("review-reviewer-unknown", "error", ("Reviewer not in the Roster", "考评人不在人员名册中"),
  ("{sheet}!{cell}: reviewer {value!r} is not an Employee ID or name on the Roster.",
   "{sheet}!{cell}：考评人“{value}”不是人员名册中的工号或姓名。"),
  tags=("rule",))
_("review-self", "error", ("Self-review", "本人考评自己"),
  ("{sheet}!{cell}: {value!r} reviews themselves; a review is by someone else.",
   "{sheet}!{cell}：“{value}”考评了自己；考评须由他人进行。"),
  tags=("rule",))
_("review-item-unknown", "error", ("Review item not in the Appraisal weights", "考评项目不在考核权重中"),
  ("{sheet}!{cell}: item {value!r} is not a review item of the standards' Appraisal weights ({items}).",
   "{sheet}!{cell}：考评项目“{value}”不是标准考核权重中的考评项目（{items}）。"),
  tags=("rule",))
_("review-period-invalid", "error", ("Review period not a quarter", "考评期不是季度"),
  ("{sheet}!{cell}: period {value!r} is not a quarter written like 2025-Q1.",
   "{sheet}!{cell}：考评期“{value}”不是形如 2025-Q1 的季度。"),
  tags=("rule",))
_("review-score-out-of-range", "error", ("Review score outside 0-100", "考评得分不在0至100之间"),
  ("{sheet}!{cell}: score {value} is outside 0 to 100.", "{sheet}!{cell}：得分{value}不在0至100之间。"),
  tags=("rule",))

# --- raised by plan drafting (toolkit.core.planning) --------------------------------------------------------
_("plan-even-seasonality", "warning", ("Months spread evenly", "各月平均分配"),
  ("{scope} {indicator}: less than 12 months of history covering every calendar month, so the months "
   "are spread evenly.",
   "{scope_zh}{indicator_zh}：历史数据不足 12 个月或未覆盖全部月份，各月平均分配。"),
  tags=("planning",))
_("plan-company-seasonality", "info", ("Company seasonality used", "采用公司季节性"),
  ("{scope} {indicator}: not enough own history; the company's seasonality is used.",
   "{scope_zh}{indicator_zh}：本部门历史数据不足，采用公司整体的季节性。"),
  tags=("planning",))
_("plan-new-hire", "info", ("Default share for a person without history", "无历史人员采用默认份额"),
  ("{value} ({department}) has no {indicator} history: given {share} of the department's average share.",
   "{value}（{department}）没有{indicator_zh}历史：按本部门平均份额的 {share} 分配。"),
  tags=("planning",))
_("plan-department-no-history", "warning", ("Department without history", "部门没有历史数据"),
  ("{value} has no {indicator} history, so it gets no {indicator} target unless one is held for it.",
   "{value} 没有{indicator_zh}历史，除非在设置中锁定数值，否则不分配{indicator_zh}目标。"),
  tags=("planning",))
_("plan-department-earlier-snapshot", "warning", ("Department drafted from an earlier close",
                                                   "部门按更早的结账数据编制"),
  ("{value} was not consolidated at the close of {latest}: its plan is drafted from its last accepted snapshot, "
   "of {period} (its history up to that close).",
   "{value} 在 {latest} 的结账中未汇总：其计划按最近一次已接受的快照（{period}）编制，即截至该次结账的历史。"),
  tags=("planning",))
_("plan-department-closed", "info", ("Department not in the Roster", "部门不在人员名册中"),
  ("{value} had {indicator} history but nobody in the new Roster; its share goes to the other departments.",
   "{value} 有{indicator_zh}历史，但新人员名册中没有该部门人员；其份额分给其他部门。"),
  tags=("planning",))
_("plan-budget-company-mix", "info", ("Company expense mix used for the budget", "预算采用公司费用结构"),
  ("{value}: no spend by category in the history; its budget is split by the company's mix of categories.",
   "{value}：历史中没有按类别的费用；其预算按公司整体的费用类别结构分配。"),
  tags=("planning",))
_("plan-budget-even-mix", "warning", ("Budget split evenly over the categories", "预算在各类别间平均分配"),
  ("{value}: no spend by category in the history of any department; its budget is split evenly over the "
   "categories. Edit the Budget sheet.",
   "{value}：所有部门的历史中都没有按类别的费用；其预算在各类别间平均分配。请修改预算表。"),
  tags=("planning",))

# --- raised by the approval rule (toolkit.operations.approvals) ---------------------------------------------
_("approval-own-item", "error", ("Own item", "本人事项"),
  ("{value} is the approver's own item: another approver must decide it.",
   "{value} 是审批人本人的事项：须由其他审批人审批。"),
  tags=("approval",))
_("approval-needs-gm", "error", ("Needs the general manager", "须总经理审批"),
  ("{value} is above {limit}: it needs the general manager's approval and can only be forwarded.",
   "{value} 超过 {limit}：须总经理审批，只能转呈。"),
  tags=("approval",))


# --- added by issues 20, 22, 25, 26, 27 (merged) ---------------------------------------------------------------
_('column-missing-quiet', 'info', ('Optional column not used', '未使用可选列'),
  ('{sheet}: the optional column {column!r} is not there; it is treated as blank.',
   '{sheet}：没有可选列“{column}”，按空白处理。'),
  tags=('reader',))
_('formula-limit', 'warning', ('Formula work limit reached', '公式计算达到工作量上限'),
  ('{file}: {count} cell(s) holding a formula saved without its result were not computed: the toolkit computes at most {limit} {what} per file (a fixed bound, the same on every machine); open and save the file in Excel or WPS so the results are stored.',
   '{file}：有{count}个公式未保存计算结果的单元格未计算：工具对每个文件最多计算{limit}{what_zh}（固定上限，与机器快慢无关）；请用 Excel 或 WPS 打开并保存该文件，使结果保存下来。'),
  tags=('reader',))
_('ambiguous-column', 'error', ('Two columns with one meaning', '两列含义相同'),
  ('{sheet}!{cell}: the headers {value!r} ({cell}) and {others} both name the {target} column; the toolkit will not guess which one holds it. Rename or delete the one that is not {target}.',
   '{sheet}!{cell}：表头“{value}”（{cell}）与{others_zh}都对应“{target_zh}”列，工具不会猜测哪一列是它。请把不是“{target_zh}”的那一列改名或删除。'),
  tags=('reader', 'habit'))
_('hidden-rows', 'error', ('Hidden rows holding data', '隐藏行中有数据'),
  ('{sheet}!{cell}{more}: rows {rows} are hidden but hold data; hidden rows (voided receipts, old rows) would be counted although nobody sees them. Unhide them, then delete the rows that do not count.',
   '{sheet}!{cell}{more_zh}：第 {rows} 行被隐藏但有数据；隐藏行（作废的收款、旧记录）虽然看不见也会被计入。请取消隐藏，并删除不应计入的行。'),
  tags=('reader', 'habit'))
_('filtered-rows', 'info', ('Rows hidden by a filter', '被筛选隐藏的行'),
  ("{sheet}!{cell}{more}: rows {rows} are hidden by the sheet's filter; they are read like every other row.",
   '{sheet}!{cell}{more_zh}：第 {rows} 行被筛选隐藏；这些行与其他行一样读取。'),
  tags=('reader', 'habit'))
_('hidden-columns', 'info', ('Hidden columns holding data', '隐藏列中有数据'),
  ('{sheet}!{cell}: hidden column(s) {value} hold data; they are read like the visible ones.',
   '{sheet}!{cell}：隐藏的列 {value} 中有数据，已与可见列一样读取。'),
  tags=('reader', 'habit'))
_('percent-money', 'error', ('Money formatted as a percentage', '金额以百分比格式录入'),
  ('{sheet}!{cell}{more}: {column!r} is money but cell(s) {listed} show a percentage ({value}); a percentage is not an amount. Enter the amounts (e.g. Delivered = Amount × 35%).',
   '{sheet}!{cell}{more_zh}：“{column}”是金额，但单元格 {listed} 显示为百分比（{value}）；百分比不是金额。请填写金额（如已履约金额 = 合同金额 × 35%）。'),
  tags=('reader', 'habit'))
_('decimal-comma', 'info', ('Decimal comma', '小数逗号'),
  ('{sheet}!{cell}{more}: {value!r} was read as {read_as} (a decimal comma).',
   '{sheet}!{cell}{more_zh}：“{value}”按 {read_as} 读取（逗号为小数点）。'),
  tags=('reader', 'habit'))
_('decimal-comma-ambiguous', 'error', ('Number unclear: decimal comma?', '数字含义不明：逗号是否为小数点'),
  ('{sheet}!{cell}: {value!r} could be a thousands separator or a decimal comma (the column uses decimal commas elsewhere); write it without ambiguity (71700 or 71,70).',
   '{sheet}!{cell}：“{value}”中的分隔符可能是千位分隔符，也可能是小数点（该列其他单元格使用逗号作小数点）；请写成不会误解的形式（71700 或 71,70）。'),
  tags=('reader', 'habit'))
_('threshold-as-points', 'info', ('Threshold read as percentage points', '阈值按百分点读取'),
  ('{sheet}!{cell}: {column} {value} was read as {read_as} percentage points ({name} is in points: 10 means 10 points).',
   '{sheet}!{cell}：“{column}”{value}按 {read_as} 个百分点读取（{name}以百分点计：10 即 10 个百分点）。'),
  tags=('reader', 'habit'))
_('hint-row', 'info', ('Hint row under the header skipped', '表头下的填写提示行已跳过'),
  ('{sheet}!{cell}: row {row} holds fill-in hints ({value}), not data; it was skipped.',
   '{sheet}!{cell}：第{row}行是填写提示（{value}），不是数据，已跳过。'),
  tags=('reader', 'habit'))
_('formula-error-text', 'warning', ('Error value in a free-text column', '说明类列中有错误值'),
  ('{sheet}!{cell}: {column!r} shows {value}; it is read as blank (a free-text column: no figure depends on it).',
   '{sheet}!{cell}：“{column}”显示为{value}，按空白读取（说明类列，不影响任何数字）。'),
  tags=('reader', 'habit'))
_('summary-table', 'error', ('A summary table under the data', '数据下方有汇总表'),
  ('{sheet}!{cell}: the rows {value} below the table look like a summary table (most required values blank); they are not read. Move the summary to its own sheet, or fill in those rows if they are data.',
   '{sheet}!{cell}：表格下方的 {value} 像是汇总表（大部分必填值为空），未读取。请把汇总移到单独的工作表；如果这些行是数据，请补全。'),
  tags=('reader', 'habit'))
_('department-other-name', 'info', ('Department named in the other language', '部门使用另一语言的名称'),
  ("{sheet}!{cell}: department {value!r} is read as the Roster's {closest!r} (its other-language name).",
   '{sheet}!{cell}：部门“{value}”按人员名册中的“{closest}”读取（其另一语言名称）。'),
  tags=('rule',))
_('key-normalized', 'info', ('Key read as its listed spelling', '编号/名称按登记写法读取'),
  ('{sheet}!{cell}{more}: {value!r} was read as {read_as!r}, {what} (compared ignoring case, width, spaces and a trailing .0).',
   '{sheet}!{cell}{more_zh}：“{value}”按{what_zh}“{read_as}”读取（比较时忽略大小写、全半角、空格和末尾的 .0）。'),
  tags=('rule',))
_('unknown-plan', 'error', ('Royalty plan not found', '找不到提成方案'),
  ('{sheet}!{cell}: royalty plan {value!r} is not on the Royalty Plans sheet; its people would get no royalty.',
   '{sheet}!{cell}：提成方案“{value}”不在提成方案表中，相关人员将无法计提成。'),
  tags=('rule',))
_('opportunity-won-unlinked', 'warning', ('Won opportunity without its contract', '赢单商机未关联合同'),
  ("{sheet}!{cell}: a Won opportunity names contract {value!r}, which is not on the Contracts sheet; write the contract's number so the pipeline links to it.",
   '{sheet}!{cell}：赢单商机的合同编号“{value}”不在合同表中；请填写对应合同的编号，以便关联。'),
  tags=('rule',))
_('opportunity-lost-no-reason', 'warning', ('Lost opportunity without a reason', '丢单商机未填原因'),
  ('{sheet}!{cell}: a Lost opportunity has no Lost Reason.',
   '{sheet}!{cell}：丢单商机未填写丢单原因。'),
  tags=('rule',))
_('adjustment-approver-unknown', 'error', ('Approver not in the Roster', '批准人不在人员名册中'),
  ('{sheet}!{cell}: the approver {value!r} is not on the Roster.',
   '{sheet}!{cell}：批准人“{value}”不在人员名册中。'),
  tags=('rule',))
_('adjustment-self-approved', 'error', ('Adjustment approved by its employee', '调整由本人批准'),
  ('{sheet}!{cell}: {value!r} approves their own adjustment; someone else must approve it.',
   '{sheet}!{cell}：“{value}”批准了自己的调整；须由他人批准。'),
  tags=('rule',))
_('adjustment-period-closed', 'error', ('Adjustment in a closed period', '调整所属期间已结账'),
  ('{sheet}!{cell}: {value} is already closed and approved (or a later month is closed); an adjustment there would never be paid. Put it in the next open period.',
   '{sheet}!{cell}：{value} 已结账并批准（或更晚的月份已结账）；该调整将无法支付。请改填下一个未结账期间。'),
  tags=('rule',))
_('removed-from-closed-period', 'warning', ('Row of a closed period removed', '已结账期间的记录被删除'),
  ('{sheet}: {what} {value} dated {date} in {month}, closed on {closed_at}, is no longer in the workbook; what it earned is clawed back at the next close as an itemised adjustment.',
   '{sheet}：{what_zh}“{value}”（日期 {date}，属于已于 {closed_at} 结账的 {month}）已不在工作簿中；其对应金额将在下次结账时作为逐项调整追回。'),
  tags=('across-files',))
_('department-back-in-closes', 'warning', ('Department back after closes without it', '部门在缺席若干次结账后重新汇总'),
  ('{department} was not consolidated in the closes of {months}: its {rows} row(s) dated in those months are paid at the next close (for its people not computed then, as their payment catches up).',
   '{department} 未参加 {months} 的结账：其在这些月份的 {rows} 条记录将在下次结账时支付（当时未计算的员工的支付会补齐）。'),
  tags=('across-files',))
_('period-already-closed', 'warning', ('Period already closed', '期间已结账'),
  ('{period} is closed (version {version}, {closed_at}): this consolidation is stored, but what {period} paid and reported stays as closed until it is closed again with --reopen; otherwise the differences are paid at the next close as itemised adjustments.',
   '{period} 已结账（第 {version} 版，{closed_at}）：本次合并已保存，但 {period} 已支付和已报告的内容保持结账时的状态，除非用 --reopen 重新结账；否则差额在下次结账时作为逐项调整支付。'),
  tags=('across-files',))
_('approval-reason-required', 'error', ('Reason required', '须填写理由'),
  ('{value}: a rejection needs a reason (the Comment).',
   '{value}：驳回须填写理由（审批意见）。'),
  tags=('approval',))
_('approval-comment-required', 'error', ('Comment required', '须填写意见'),
  ('{value}: an approval with exception, or of part of the amount, needs a comment saying why.',
   '{value}：例外批准或部分批准须在审批意见中说明理由。'),
  tags=('approval',))



_("hidden-rows-read", "info", ("Hidden rows read", "隐藏行已读取"),
  ("{sheet}!{cell}{more}: rows {rows} are hidden; on a standards sheet they still hold a person or a rule, so they are read like the others.",
   "{sheet}!{cell}{more_zh}：第 {rows} 行被隐藏；标准工作簿中的隐藏行仍是人员或规则，已与其他行一样读取。"),
  tags=("reader", "habit"))

_("file-link-skipped", "warning", ("Symbolic link not followed", "未跟随符号链接"),
  ("{value}: a symbolic link in the folder{dangling}; it is not followed (its target may be outside the folder) and "
   "its figures are left out. Name the file itself or copy it into the folder.",
   "{value}：文件夹中的符号链接{dangling_zh}；未跟随该链接（其目标可能在文件夹之外），其数据未计入。请直接指定该文件或将其复制到文件夹中。"),
  tags=("across-files", "unreliable"))

_("file-name-not-text", "warning", ("File name not text", "文件名不是有效文本"),
  ("{value}: the file's name is not text (saved in another encoding, as some unzip tools do), so its figures are "
   "left out. Rename the file and run again.",
   "{value}：文件名不是有效文本（以其他编码保存，某些解压工具会如此），其数据未计入。请重命名该文件后重新运行。"),
  tags=("across-files", "unreliable"))

def codes(*tags: str) -> tuple[str, ...]:
    """The codes carrying every one of ``tags``, in catalog order: ``codes("policy")``, ``codes("rule")``."""
    unknown = set(tags) - set(ORIGINS) - set(ROLES)
    if unknown:
        raise KeyError(f"unknown finding tag(s): {sorted(unknown)}")
    return tuple(code for code, ftype in CATALOG.items() if ftype.tags >= set(tags))


def markdown_table(tag: str) -> str:
    """The docs/findings.md table of the codes tagged ``tag``: code (★ for a habit of hand-kept workbooks),
    severity and title in both languages."""
    rows = ["| code | severity | title | 标题 |", "|---|---|---|---|"]
    for code in codes(tag):
        f = CATALOG[code]
        star = " ★" if "habit" in f.tags else ""
        rows.append(f"| `{code}`{star} | {f.severity} | {f.title[0]} | {f.title[1]} |")
    return "\n".join(rows)
