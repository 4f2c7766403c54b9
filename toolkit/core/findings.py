"""Findings ("issues" in DOMAIN.md): a catalog of stable codes and the finding record.

Modelled on frictionless-py's error catalog: each code is declared once with its default
severity, a title and a message template in both languages. Findings are data, not exceptions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class FindingType:
    """One entry of the catalog: a stable kebab-case code, its severity, title and message."""

    code: str
    severity: str
    title: tuple[str, str]  # (en, zh)
    template: tuple[str, str]  # (en, zh), formatted with the finding's params

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


def finding_type(code: str) -> FindingType:
    """The catalog entry of ``code``. The validation catalog (``toolkit.core.validation.catalog``) is
    imported on first need, so findings read back from the store or a file render without callers
    importing rule modules for their side effects."""
    ftype = CATALOG.get(code)
    if ftype is None:
        import importlib

        importlib.import_module("toolkit.core.validation.catalog")
        ftype = CATALOG[code]
    return ftype


def declare(code: str, severity: str, title: tuple[str, str], template: tuple[str, str]) -> FindingType:
    """Add a code to the catalog (idempotent for identical declarations)."""
    assert severity in SEVERITIES, severity
    ftype = FindingType(code, severity, title, template)
    if code in CATALOG and CATALOG[code] != ftype:
        raise ValueError(f"finding code {code!r} declared twice")
    CATALOG[code] = ftype
    return ftype


@dataclass
class Finding:
    """One finding: where it is (file, sheet, cell, row, column as written), what, and how bad."""

    code: str
    sheet: str | None = None
    cell: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    file: str | None = None
    severity: str | None = None  # None: the catalog's default
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.severity is None:
            self.severity = finding_type(self.code).severity

    def message(self, lang: str = "en") -> str:
        params = {"sheet": self.sheet, "cell": self.cell, "row": self.row, "column": self.column,
                  "value": self.value, **self.params}
        return finding_type(self.code).render(lang, params)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """The JSON form documented in the README."""
        return {
            "code": self.code,
            "severity": self.severity,
            "sheet": self.sheet,
            "cell": self.cell,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message(lang),
        }


# Codes raised while reading (the reader is where types are coerced and error cells are seen).
declare("type-error", "error", ("Wrong type", "类型错误"),
        ("{sheet}!{cell}: {value!r} is not a valid {expected}.", "{sheet}!{cell}：“{value}”不是有效的{expected_zh}。"))
declare("formula-error", "error", ("Formula error", "公式错误"),
        ("{sheet}!{cell}: the cell holds the error {value}.", "{sheet}!{cell}：单元格为错误值 {value}。"))
declare("extra-column", "info", ("Extra column", "多余列"),
        ("{sheet}!{cell}: column {column!r} is not part of the template; it is kept but not used.",
         "{sheet}!{cell}：列“{column}”不属于模板，已保留但不参与计算。"))
declare("sheet-missing-optional", "info", ("Optional sheet missing", "缺少可选工作表"),
        ("Sheet {sheet!r} is missing; it is treated as empty.", "缺少工作表“{sheet}”，按空表处理。"))
declare("column-missing-optional", "warning", ("Optional column missing", "缺少可选列"),
        ("{sheet}: column {column!r} is missing; it is treated as blank.", "{sheet}：缺少列“{column}”，按空白处理。"))
declare("column-missing-stops", "error", ("Column missing: figures would be wrong", "缺少列：数字将出错"),
        ("{sheet}: column {column!r} is missing; without it {needed}. Add the column (leave it empty where it does "
         "not apply).",
         "{sheet}：缺少列“{column}”；没有该列，{needed_zh}。请补上该列（不适用处留空）。"))
declare("column-missing-needed", "warning", ("Column missing: figures not computable", "缺少列：相关数字无法计算"),
        ("{sheet}: column {column!r} is missing, so {needed} are not computed for this workbook (left blank, not "
         "zero); add the column to compute them.",
         "{sheet}：缺少列“{column}”，因此本工作簿的{needed_zh}不予计算（留空而非按零计）；补上该列即可计算。"))

# Habits of hand-kept workbooks the reader undoes or stops (issue 14); each normalisation leaves a trace.
declare("file-repaired", "info", ("File read after a repair", "文件经修复后读取"),
        ("The file was read from a repaired copy: {what}. The file itself is unchanged.",
         "文件已从修复后的副本读取：{what_zh}。原文件未改动。"))
declare("format-limited", "warning", ("What this format cannot show", "该格式无法提供的信息"),
        ("Read from {value}: in this format error cells (#N/A …) and formulas saved without a value look blank to "
         "the reader; save it as .xlsx to have them checked.",
         "从 {value} 文件读取：此格式中的错误值（#N/A 等）和未保存结果的公式在读取时与空白无法区分；另存为 .xlsx 可对其检查。"))
declare("unit-scaled", "info", ("Amounts scaled by the header's unit", "按表头单位换算金额"),
        ("{sheet}!{cell}: header {column!r} gives the unit; its amounts were multiplied by {factor}.",
         "{sheet}!{cell}：表头“{column}”注明了单位，该列金额已乘以{factor}。"))
declare("total-row", "warning", ("Totals row left out", "合计行未计入"),
        ("{sheet}!{cell}: row {row} is a totals or subtotal row ({value!r}); it is left out of the table.",
         "{sheet}!{cell}：第{row}行是合计或小计行（“{value}”），未计入数据。"))
declare("notes-row", "warning", ("Notes row left out", "备注行未计入"),
        ("{sheet}!{cell}: row {row} holds only a note ({value!r}); it is left out of the table.",
         "{sheet}!{cell}：第{row}行只有备注文字（“{value}”），未计入数据。"))
declare("merged-filled", "info", ("Merged cell filled down", "合并单元格已向下填充"),
        ("{sheet}!{cell}: merged cell {value!r} was read in each of its {rows} rows.",
         "{sheet}!{cell}：合并单元格“{value}”已按其所跨的{rows}行逐行读取。"))
declare("id-normalized", "info", ("ID normalised", "编号已规范化"),
        ("{sheet}!{cell}{more}: {value!r} was read as {read_as!r} (full-width characters or spaces in {column}).",
         "{sheet}!{cell}{more_zh}：“{value}”按“{read_as}”读取（“{column}”中含全角字符或空格）。"))
declare("numeric-date", "info", ("Date typed as a number", "日期以数字录入"),
        ("{sheet}!{cell}{more}: the number {value} was read as the date {read_as}.",
         "{sheet}!{cell}{more_zh}：数字{value}按日期{read_as}读取。"))
declare("percent-as-points", "info", ("Percentages typed as points", "百分比按百分点录入"),
        ("{sheet}!{cell}{more}: column {column!r} holds numbers like {value} beyond a fraction's range, so they "
         "were read as percent ({value} = {value}%).",
         "{sheet}!{cell}{more_zh}：“{column}”列的数值（如{value}）超出小数比例的范围，已按百分数读取（{value} 即 {value}%）。"))
declare("percent-ambiguous", "error", ("Percentage ambiguous", "百分比含义不明"),
        ("{sheet}!{cell}: {value} is ambiguous in column {column!r}, which is typed in points: write {value}% "
         "for {value} percent, or type the whole column as fractions (0.03 for 3%).",
         "{sheet}!{cell}：“{column}”列按百分点录入，{value}含义不明：如指{value}%请写成{value}%，"
         "或整列改用小数（3% 写作 0.03）。"))
declare("formula-no-value", "error", ("Formulas saved without values", "公式未保存计算结果"),
        ("{sheet}!{cell}{more}: {count} cell(s) of {column!r} hold a formula saved without its result "
         "(cells {listed}); open and save the file in Excel or WPS so the results are stored.",
         "{sheet}!{cell}{more_zh}：“{column}”列有{count}个单元格的公式未保存计算结果（{listed}）；"
         "请用 Excel 或 WPS 打开并保存该文件，使结果保存下来。"))
declare("formula-evaluated", "info", ("Formulas computed by the toolkit", "公式由工具计算"),
        ("{sheet}!{cell}{more}: {count} cell(s) of {column!r} hold a formula saved without its result (cells "
         "{listed}); the toolkit computed them. Open and save the file in Excel or WPS to store Excel's own results.",
         "{sheet}!{cell}{more_zh}：“{column}”列有{count}个单元格的公式未保存计算结果（{listed}），已由工具计算；"
         "用 Excel 或 WPS 打开并保存可存入 Excel 自己的结果。"))
declare("extra-sheet-data", "error", ("Data on an extra sheet", "数据位于多余的工作表"),
        ("{sheet}!{cell}: sheet {value!r} has the {target_en} header and data rows that are not read; move its rows "
         "into the {target_en} table (or delete the sheet).",
         "{sheet}!{cell}：工作表“{value}”带有“{target_zh}”的表头和数据行，但这些行不会被读取；请把这些行移到“{target_zh}”表中（或删除该工作表）。"))

# Issue 22: what the values alone do not show (hidden rows and columns, formats, two columns with one meaning).
declare("ambiguous-column", "error", ("Two columns with one meaning", "两列含义相同"),
        ("{sheet}!{cell}: the headers {value!r} ({cell}) and {others} both name the {target} column; the toolkit will "
         "not guess which one holds it. Rename or delete the one that is not {target}.",
         "{sheet}!{cell}：表头“{value}”（{cell}）与{others_zh}都对应“{target_zh}”列，工具不会猜测哪一列是它。"
         "请把不是“{target_zh}”的那一列改名或删除。"))
declare("hidden-rows", "error", ("Hidden rows holding data", "隐藏行中有数据"),
        ("{sheet}!{cell}{more}: rows {rows} are hidden but hold data; hidden rows (voided receipts, old rows) would be "
         "counted although nobody sees them. Unhide them, then delete the rows that do not count.",
         "{sheet}!{cell}{more_zh}：第 {rows} 行被隐藏但有数据；隐藏行（作废的收款、旧记录）虽然看不见也会被计入。"
         "请取消隐藏，并删除不应计入的行。"))
declare("filtered-rows", "info", ("Rows hidden by a filter", "被筛选隐藏的行"),
        ("{sheet}!{cell}{more}: rows {rows} are hidden by the sheet's filter; they are read like every other row.",
         "{sheet}!{cell}{more_zh}：第 {rows} 行被筛选隐藏；这些行与其他行一样读取。"))
declare("hidden-rows-read", "info", ("Hidden rows read", "隐藏行已读取"),
        ("{sheet}!{cell}{more}: rows {rows} are hidden; on a standards sheet they still hold a person or a rule, so "
         "they are read like the others.",
         "{sheet}!{cell}{more_zh}：第 {rows} 行被隐藏；标准工作簿中的隐藏行仍是人员或规则，已与其他行一样读取。"))
declare("hidden-columns", "info", ("Hidden columns holding data", "隐藏列中有数据"),
        ("{sheet}!{cell}: hidden column(s) {value} hold data; they are read like the visible ones.",
         "{sheet}!{cell}：隐藏的列 {value} 中有数据，已与可见列一样读取。"))
declare("percent-money", "error", ("Money formatted as a percentage", "金额以百分比格式录入"),
        ("{sheet}!{cell}{more}: {column!r} is money but cell(s) {listed} show a percentage ({value}); a percentage "
         "is not an amount. Enter the amounts (e.g. Delivered = Amount × 35%).",
         "{sheet}!{cell}{more_zh}：“{column}”是金额，但单元格 {listed} 显示为百分比（{value}）；百分比不是金额。"
         "请填写金额（如已履约金额 = 合同金额 × 35%）。"))
declare("decimal-comma", "info", ("Decimal comma", "小数逗号"),
        ("{sheet}!{cell}{more}: {value!r} was read as {read_as} (a decimal comma).",
         "{sheet}!{cell}{more_zh}：“{value}”按 {read_as} 读取（逗号为小数点）。"))
declare("decimal-comma-ambiguous", "error", ("Number unclear: decimal comma?", "数字含义不明：逗号是否为小数点"),
        ("{sheet}!{cell}: {value!r} could be a thousands separator or a decimal comma (the column uses decimal "
         "commas elsewhere); write it without ambiguity (71700 or 71,70).",
         "{sheet}!{cell}：“{value}”中的分隔符可能是千位分隔符，也可能是小数点（该列其他单元格使用逗号作小数点）；"
         "请写成不会误解的形式（71700 或 71,70）。"))
declare("threshold-as-points", "info", ("Threshold read as percentage points", "阈值按百分点读取"),
        ("{sheet}!{cell}: {column} {value} was read as {read_as} percentage points ({name} is in points: 10 means "
         "10 points).",
         "{sheet}!{cell}：“{column}”{value}按 {read_as} 个百分点读取（{name}以百分点计：10 即 10 个百分点）。"))
declare("hint-row", "info", ("Hint row under the header skipped", "表头下的填写提示行已跳过"),
        ("{sheet}!{cell}: row {row} holds fill-in hints ({value}), not data; it was skipped.",
         "{sheet}!{cell}：第{row}行是填写提示（{value}），不是数据，已跳过。"))
declare("formula-error-text", "warning", ("Error value in a free-text column", "说明类列中有错误值"),
        ("{sheet}!{cell}: {column!r} shows {value}; it is read as blank (a free-text column: no figure depends on it).",
         "{sheet}!{cell}：“{column}”显示为{value}，按空白读取（说明类列，不影响任何数字）。"))
declare("summary-table", "error", ("A summary table under the data", "数据下方有汇总表"),
        ("{sheet}!{cell}: the rows {value} below the table look like a summary table (most required values blank); "
         "they are not read. Move the summary to its own sheet, or fill in those rows if they are data.",
         "{sheet}!{cell}：表格下方的 {value} 像是汇总表（大部分必填值为空），未读取。请把汇总移到单独的工作表；如果这些行是数据，请补全。"))
