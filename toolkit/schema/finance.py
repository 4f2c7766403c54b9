"""Finance's payroll layout file (issue 25, ``toolkit finance export --map FILE``): which columns finance's payroll
system imports, in which order, each holding a field of the pay line or a constant. Not part of a workbook kind:
the layout is finance's own small file (xlsx or CSV)."""

from __future__ import annotations

from . import enums as E
from .model import ColType as T
from .model import Column, Label, Table

L = Label

PAYROLL_LAYOUT = Table(
    "PayrollLayout",
    L("Payroll Layout", "工资表格式"),
    (
        Column("column", L("Column", "列名"), T.TEXT, required=True),
        Column("field", L("Field", "字段"), T.TEXT, enum=E.PAYROLL_FIELD),
        Column("value", L("Value", "固定值"), T.TEXT),
    ),
    L(
        "One row per column of the payroll file, in order: its header, and the field it holds (or a constant Value).",
        "工资文件的每一列一行，按顺序：列名，以及该列所取的字段（或固定值）。",
    ),
)
