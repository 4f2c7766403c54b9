"""The vocabulary of the schema: column types, enumerations, columns, tables, workbooks.

Everything that knows a header, a sheet name or an enumeration label derives it from
instances of these classes (``toolkit.schema.department`` and ``toolkit.schema.standards``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
import unicodedata
from enum import Enum

LANGS = ("en", "zh")


class ColType(str, Enum):
    """Cell types a column can hold; the reader coerces to these, templates format them."""

    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"  # a plain decimal (factors, coefficients, thresholds)
    MONEY = "money"  # company currency, 2 decimals
    PERCENT = "percent"  # stored as a fraction: 0.8 shows as 80%
    DATE = "date"
    MONTH = "month"  # YYYY-MM; stored as the first day of the month
    BOOL = "bool"  # Yes/No (是/否)


@dataclass(frozen=True)
class Label:
    """A user-facing text in both languages."""

    en: str
    zh: str

    def __call__(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def all(self) -> tuple[str, str]:
        return (self.en, self.zh)


@dataclass(frozen=True)
class Enumeration:
    """A closed list of values. ``values`` maps the canonical (English) code to its labels."""

    key: str
    values: dict[str, Label]

    def labels(self, lang: str) -> list[str]:
        return [label(lang) for label in self.values.values()]

    def lookup(self) -> dict[str, str]:
        """Every accepted spelling (either language, case-folded) mapped to the canonical code."""
        out: dict[str, str] = {}
        for code, label in self.values.items():
            for text in (code, label.en, label.zh):
                out[text.strip().casefold()] = code
        return out

    def label(self, code: str, lang: str) -> str:
        return self.values[code](lang) if code in self.values else code


@dataclass(frozen=True)
class Column:
    """One column of a table: internal key, both headers, type and rules."""

    key: str
    label: Label
    type: ColType = ColType.TEXT
    required: bool = False
    enum: Enumeration | None = None
    unique: bool = False  # part of the table's unique key
    min_value: float | None = None  # inclusive lower bound for numeric columns
    help: Label | None = None  # explanation shown on the instructions sheet
    width: int | None = None  # column width in characters, when the header is a poor guide
    aliases: tuple[str, ...] = ()  # other headers people write for this column (either language)
    #: Percent columns: the plausible range of the fraction (issue 14). Plain numbers beyond ``hi`` mean the
    #: column was typed in points (3 = 3%); values outside the range after that are errors.
    fraction_range: tuple[float, float] | None = None
    #: Optional columns a computation needs: what cannot be computed without them (``column-missing-needed``).
    needed_for: Label | None = None
    #: Missing, it stops the file (an error) instead: what depends on it cannot be left blank (split credits
    #: change every measure of the contract's owner and partner).
    missing_stops: bool = False
    #: Optional and silent when absent (issue 25's Roster Cost Centre): a workbook made before the column existed
    #: gets an ``info`` finding, not the ``column-missing-optional`` warning that marks figures unreliable.
    quiet: bool = False
    #: An open list (issue 31's Appraisal items): the enum's spellings are read as its codes, other values are
    #: allowed (review items), so no ``enum-invalid`` and no stop-list in the template.
    open_enum: bool = False
    #: A version column (issue 23's Valid From): part of the unique key where a blank is a value (the version in
    #: force from the start), so two blank-dated rows of one key are still a duplicate.
    version: bool = False

    def header(self, lang: str) -> str:
        return self.label(lang)


@dataclass(frozen=True)
class Table:
    """A table (Excel ListObject) on a sheet. Several tables may share a sheet side by side."""

    key: str  # canonical key, also the Excel table name (no spaces)
    sheet: Label  # sheet name in both languages
    columns: tuple[Column, ...]
    help: Label
    required: bool = True  # a workbook without this sheet cannot be used
    first_column: int = 1  # 1-based column where the table starts on its sheet (side-by-side tables)

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(f"{self.key} has no column {key!r}")

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    @property
    def unique_key(self) -> list[str]:
        return [c.key for c in self.columns if c.unique]

    def header_lookup(self) -> dict[str, str]:
        """Every accepted header spelling (either language, aliases, the key; compared by ``header_key``) → key."""
        out: dict[str, str] = {}
        for col in self.columns:
            for text in (*col.label.all(), *col.aliases, col.key):
                out.setdefault(header_key(text), col.key)
        return out


@dataclass(frozen=True)
class InfoField:
    """A key/value line on the Info sheet."""

    key: str
    label: Label
    type: ColType = ColType.TEXT


@dataclass(frozen=True)
class WorkbookSchema:
    """A kind of workbook: its data tables, its Info fields and its instructions sheet."""

    kind: str  # "department" or "standards"
    title: Label
    tables: tuple[Table, ...]
    info: tuple[InfoField, ...] = field(default_factory=tuple)
    info_sheet: Label = Label("Info", "信息")  # column A: field label, column B: value (row 1 is a header)
    instructions_sheet: Label = Label("Instructions", "填写说明")

    def table(self, key: str) -> Table:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(f"{self.kind} workbook has no table {key!r}")

    def sheets(self) -> list[Label]:
        """Distinct data sheet names, in order."""
        seen: list[Label] = []
        for table in self.tables:
            if table.sheet not in seen:
                seen.append(table.sheet)
        return seen


def normalize_header(text: object) -> str:
    """Sheet names and labels as compared: NFKC (full-width letters, digits and parentheses folded),
    case-folded, whitespace (line breaks too) squeezed to single spaces."""
    s = unicodedata.normalize("NFKC", str(text))
    return " ".join(s.split()).casefold()


def header_key(text: object) -> str:
    """A column header as compared (issue 14): ``normalize_header`` without any whitespace (so "已履约\n金额",
    "Contract  No" and "ContractNo" agree) and without a trailing required-marker ``*``."""
    return "".join(normalize_header(text).split()).rstrip("*")


#: The pandas dtype of each type in a typed frame (docs/architecture.md, "Typed tables").
DTYPES: dict[ColType, str] = {
    ColType.TEXT: "str",
    ColType.INTEGER: "Int64",
    ColType.NUMBER: "float64",
    ColType.MONEY: "float64",
    ColType.PERCENT: "float64",
    ColType.DATE: "datetime64[ns]",
    ColType.MONTH: "datetime64[ns]",
    ColType.BOOL: "boolean",
}

#: How each type is named to users ("is not a valid date").
TYPE_LABELS: dict[ColType, Label] = {
    ColType.TEXT: Label("text", "文本"),
    ColType.INTEGER: Label("whole number", "整数"),
    ColType.NUMBER: Label("number", "数字"),
    ColType.MONEY: Label("amount of money", "金额"),
    ColType.PERCENT: Label("percentage", "百分比"),
    ColType.DATE: Label("date", "日期"),
    ColType.MONTH: Label("month (YYYY-MM)", "月份（YYYY-MM）"),
    ColType.BOOL: Label("Yes/No", "是/否"),
}
