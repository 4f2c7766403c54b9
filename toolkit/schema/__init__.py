"""One declarative description of every sheet; everything else derives from it."""

from .department import DEPARTMENT, MONTH_KEYS
from .model import DTYPES, LANGS, ColType, Column, Enumeration, InfoField, Label, Table, WorkbookSchema, header_key, normalize_header
from .standards import STANDARDS, THRESHOLD_DEFAULTS

SCHEMAS = {"department": DEPARTMENT, "standards": STANDARDS}

__all__ = [
    "DEPARTMENT",
    "STANDARDS",
    "SCHEMAS",
    "THRESHOLD_DEFAULTS",
    "MONTH_KEYS",
    "DTYPES",
    "LANGS",
    "ColType",
    "Column",
    "Enumeration",
    "InfoField",
    "Label",
    "Table",
    "WorkbookSchema",
    "normalize_header",
    "header_key",
]
