"""The add-in's settings (Python interpreter, standards workbook, language) as Python sees them.

The same keys live in three places, searched in this order (the order of xlwings' ``GetConfig``):
a ``MarketingToolkit.conf`` sheet (column A key, column B value) in the workbook or in the add-in,
a ``MarketingToolkit.conf`` file next to the workbook, the user's ``MarketingToolkit.conf`` file
(Windows ``%USERPROFILE%\\.MarketingToolkit\\``, macOS ``~/Library/Containers/com.microsoft.Excel/Data/``).
A ribbon click resolves them in VBA and hands them over through ``use_hex`` (environment variables
``TOOLKIT_STANDARDS`` / ``TOOLKIT_LANG``, which also work on their own, e.g. for UDFs and tests).
"""

from __future__ import annotations

import csv
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from ..i18n import normalize_lang

PROJECT_NAME = "MarketingToolkit"
SHEET_NAME = f"{PROJECT_NAME}.conf"
FILE_NAME = f"{PROJECT_NAME}.conf"

#: Keys of the settings sheet / conf file. INTERPRETER_* and UDF_MODULES are xlwings' own keys.
STANDARDS_KEY = "TOOLKIT_STANDARDS"
LANG_KEY = "TOOLKIT_LANG"
APPROVER_KEY = "TOOLKIT_APPROVER"  # the director's name stamped by Approve/Reject selection
APPROVER_ID_KEY = "TOOLKIT_APPROVER_ID"  # the director's employee ID: their own items are refused
INTERPRETER_WIN_KEY = "INTERPRETER_WIN"
INTERPRETER_MAC_KEY = "INTERPRETER_MAC"
UDF_MODULES_KEY = "UDF_MODULES"
UDF_MODULES = "toolkit.excel.udfs"


@dataclass(frozen=True)
class Settings:
    """What the macros and UDFs need from the add-in's settings."""

    standards: str | None
    lang: str
    approver: str | None = None
    approver_id: str | None = None


def decode_hex(text: str) -> str:
    """Text the ribbon encoded as UTF-16 code units, 4 hex digits each (see TK_Hex in TK_Ribbon.bas)."""
    return bytes.fromhex(text).decode("utf-16-be") if text else ""


def use_hex(standards_hex: str, lang_hex: str) -> None:
    """Called by every ribbon button before its macro: make the resolved settings current."""
    for key, value in ((STANDARDS_KEY, decode_hex(standards_hex)), (LANG_KEY, decode_hex(lang_hex))):
        if value:
            os.environ[key] = value
        else:
            os.environ.pop(key, None)


def read_conf_file(path: Path) -> dict[str, str]:
    """A conf file as VBA ``Write #`` writes it: one ``"KEY","VALUE"`` line per setting (keys upper-cased)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return {}
    out: dict[str, str] = {}
    for row in csv.reader(text.splitlines()):
        if len(row) >= 2 and row[0].strip():
            out[row[0].strip().upper()] = row[1].strip()
    return out


def user_conf_path() -> Path:
    """Where xlwings' GetConfigFilePath looks for this add-in's user settings."""
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / FILE_NAME
    return Path(os.environ.get("USERPROFILE", str(Path.home()))) / f".{PROJECT_NAME}" / FILE_NAME


def load_settings(book_path: str | os.PathLike[str] | None = None,
                  sheet: dict[str, str] | None = None) -> Settings:
    """Resolve the settings: environment, then ``sheet`` (a conf sheet already read), then the conf file
    next to ``book_path``, then the user's conf file; language defaults to the locale's."""
    layers: list[dict[str, str]] = [
        {k: v for k in (STANDARDS_KEY, LANG_KEY, APPROVER_KEY, APPROVER_ID_KEY) if (v := os.environ.get(k, ""))},
        {k.upper(): str(v) for k, v in (sheet or {}).items() if v not in (None, "")},
    ]
    if book_path:
        layers.append(read_conf_file(Path(book_path).parent / FILE_NAME))
    layers.append(read_conf_file(user_conf_path()))

    def get(key: str) -> str | None:
        for layer in layers:
            if layer.get(key):
                return layer[key]
        return None

    return Settings(standards=get(STANDARDS_KEY), lang=normalize_lang(get(LANG_KEY)), approver=get(APPROVER_KEY),
                    approver_id=get(APPROVER_ID_KEY))
