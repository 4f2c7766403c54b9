"""The VBA modules of the add-in, as text: ours (``vba/*.bas``) plus xlwings' custom-add-in module.

xlwings' ``RunPython`` comes from ``xlwings_custom_addin.bas`` of the *installed* xlwings: it declares
the xlwings DLL by version, so the add-in must be built with the xlwings version the users run. That
module (unlike the standalone ``xlwings.bas``) hands Python the ACTIVE workbook as ``Book.caller()``
(xlwings issue #1746) and reads settings from a ``<PROJECT_NAME>.conf`` sheet of the add-in itself.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import xlwings

from ...errors import ToolkitError
from ...i18n import register
from ..settings import PROJECT_NAME
from .ovba import Module

register({
    "addin.xlwings-module": (
        "The installed xlwings ({version}) has no usable {name} in {folder}; reinstall xlwings.",
        "已安装的 xlwings（{version}）在 {folder} 中没有可用的 {name}；请重新安装 xlwings。",
    ),
})

VBA_DIR = resources.files(__package__) / "vba"
XLWINGS_DIR = Path(xlwings.__file__).parent
_PROJECT_LINE = re.compile(r'^Public Const PROJECT_NAME As String = ".*"$', re.M)

#: Attributes the VBE stores for a document module (ThisWorkbook, a sheet); VB_Base names the host class.
_DOCUMENT_BASE = {"workbook": "0{00020819-0000-0000-C000-000000000046}",
                  "worksheet": "0{00020820-0000-0000-C000-000000000046}"}
_CLASS_BASE = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"


def crlf(text: str) -> str:
    """Line ends as VBA stores them."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def document_module(name: str, host: str) -> Module:
    """An empty document module (what Excel itself writes for ThisWorkbook and each sheet)."""
    lines = [f'Attribute VB_Name = "{name}"', f'Attribute VB_Base = "{_DOCUMENT_BASE[host]}"',
             "Attribute VB_GlobalNameSpace = False", "Attribute VB_Creatable = False",
             "Attribute VB_PredeclaredId = True", "Attribute VB_Exposed = True",
             "Attribute VB_TemplateDerived = False", "Attribute VB_Customizable = True"]
    return Module(name, "\r\n".join(lines) + "\r\n", "document")


def class_from_export(text: str) -> Module:
    """A class module from its exported ``.cls`` text: drop the VERSION/BEGIN..END header, add the
    attributes the VBE adds on import (VB_Base, VB_TemplateDerived, VB_Customizable)."""
    lines = crlf(text).split("\r\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("Attribute VB_Name"))
    body = lines[start:]
    name = body[0].split("=", 1)[1].strip().strip('"')
    out = [body[0], f'Attribute VB_Base = "{_CLASS_BASE}"']
    rest = body[1:]
    exposed = next((i for i, line in enumerate(rest) if line.startswith("Attribute VB_Exposed")), -1)
    out += rest[: exposed + 1] + ["Attribute VB_TemplateDerived = False", "Attribute VB_Customizable = False"]
    out += rest[exposed + 1 :]
    return Module(name, "\r\n".join(out), "class")


def _xlwings_text(name: str) -> str:
    path = XLWINGS_DIR / name
    try:
        return path.read_bytes().decode("cp1252")
    except (OSError, UnicodeDecodeError) as exc:
        raise ToolkitError("addin.xlwings-module", version=xlwings.__version__, name=name,
                           folder=str(path.parent)) from exc


def xlwings_module() -> Module:
    """xlwings' custom-add-in module with this add-in's project name (settings sheet and conf file names)."""
    text = _xlwings_text("xlwings_custom_addin.bas")
    if not _PROJECT_LINE.search(crlf(text).replace("\r\n", "\n")):
        raise ToolkitError("addin.xlwings-module", version=xlwings.__version__, name="xlwings_custom_addin.bas",
                           folder=str(XLWINGS_DIR))
    text = _PROJECT_LINE.sub(f'Public Const PROJECT_NAME As String = "{PROJECT_NAME}"', crlf(text).replace("\r\n", "\n"))
    return Module("xlwings", crlf(text), "module")


def own_modules() -> list[Module]:
    """Our standard modules, one ``.bas`` file each, named by their ``Attribute VB_Name``."""
    out = []
    for entry in sorted(VBA_DIR.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".bas"):
            text = crlf(entry.read_bytes().decode("cp1252"))
            name = text.split("\r\n", 1)[0].split("=", 1)[1].strip().strip('"')
            out.append(Module(name, text, "module"))
    return out


def addin_modules() -> list[Module]:
    """Every module of the add-in's VBA project, in project order."""
    return [
        document_module("ThisWorkbook", "workbook"),
        document_module("Sheet1", "worksheet"),
        xlwings_module(),
        class_from_export(_xlwings_text("addin/Dictionary.cls")),  # xlwings' GetConfig needs it on macOS
        *own_modules(),
    ]
