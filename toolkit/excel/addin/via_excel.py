"""``toolkit addin build --via-excel``: let Excel itself (Windows, xlwings/COM) build the same add-in.

Excel imports the same ``.bas`` modules (``VBProject.VBComponents.Import``: needs *Trust access to the
VBA project object model*), fills the settings sheet and saves as .xlam (FileFormat 55). Excel's object
model cannot add a ribbon, so the same customUI parts are then added to the saved package as the
Office Custom UI Editor does (``add_custom_ui``, which is plain zip editing and tested on Linux).
"""

from __future__ import annotations

import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from ...errors import ToolkitError
from ...i18n import register
from .. import settings as S
from . import package as P
from .modules import XLWINGS_DIR, addin_modules

register({
    "addin.via-excel-windows": (
        "--via-excel drives Microsoft Excel and works on Windows only; on this system build without it.",
        "--via-excel 需要驱动 Microsoft Excel，仅适用于 Windows；在本系统上请不加此选项构建。",
    ),
    "addin.via-excel-failed": (
        "Excel could not build the add-in: {detail}. In Excel, enable File > Options > Trust Center > "
        "Macro Settings > 'Trust access to the VBA project object model' and try again.",
        "Excel 无法构建加载项：{detail}。请在 Excel 中启用 文件 > 选项 > 信任中心 > 宏设置 > “信任对 VBA 工程对象模型的访问”后重试。",
    ),
})

_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
XLAM_FORMAT = 55  # xlOpenXMLAddIn


def add_custom_ui(src: Path, dest: Path, ui_2007: bytes, ui_2010: bytes) -> None:
    """Copy the package ``src`` to ``dest`` with both ribbon parts and their package relationships."""
    with zipfile.ZipFile(src) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    root = ET.fromstring(parts["_rels/.rels"])
    ET.register_namespace("", _PKG_RELS)
    ui_types = {rel for _, rel in P.CUSTOM_UI}
    for rel in list(root):
        if rel.get("Type") in ui_types:
            root.remove(rel)
    ids = {rel.get("Id") for rel in root}
    for part, rel_type in P.CUSTOM_UI:
        n = 1
        while f"rId{n}" in ids:
            n += 1
        ids.add(f"rId{n}")
        ET.SubElement(root, f"{{{_PKG_RELS}}}Relationship", {"Id": f"rId{n}", "Type": rel_type, "Target": part})
    parts["_rels/.rels"] = ET.tostring(root, xml_declaration=True, encoding="UTF-8")
    parts.update(P.custom_ui_parts(ui_2007, ui_2010))
    P.write_package(dest, parts)


def build_via_excel(path: Path, settings: dict[str, str], ui: tuple[bytes, bytes]) -> Path:
    """Drive Excel to build the add-in at ``path`` (Windows only; raises ToolkitError elsewhere)."""
    if sys.platform != "win32":
        raise ToolkitError("addin.via-excel-windows")
    if not Path(path).parent.is_dir():
        raise ToolkitError("addin.no-folder", path=str(path), folder=str(Path(path).parent))
    import xlwings as xw  # the COM part of xlwings exists on Windows only

    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for module in addin_modules():
            if module.kind == "module":
                f = Path(tmp) / f"{module.name}.bas"
                f.write_bytes(module.source.encode("cp1252"))
                files.append(f)
            elif module.kind == "class":
                files.append(XLWINGS_DIR / "addin" / f"{module.name}.cls")
        saved = Path(tmp) / "excel.xlam"
        app = xw.App(visible=False, add_book=False)
        try:
            book = app.books.add()
            sheet = book.sheets[0]
            sheet.name = S.SHEET_NAME
            sheet["A1"].value = [[key, value] for key, value in settings.items()]
            components = book.api.VBProject.VBComponents
            for f in files:
                components.Import(str(f))
            book.api.IsAddin = True
            book.api.SaveAs(str(saved), FileFormat=XLAM_FORMAT)
            book.close()
        except Exception as exc:  # noqa: BLE001 - COM errors become one message for people
            raise ToolkitError("addin.via-excel-failed", detail=str(exc).splitlines()[0]) from exc
        finally:
            app.quit()
        add_custom_ui(saved, Path(path), *ui)
    return Path(path)
