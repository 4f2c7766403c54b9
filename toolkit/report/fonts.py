"""Is there a font that draws Chinese? The PDF (Chromium) and the workbook viewers use the system's fonts:
when none covers Chinese, say so once, in one line, with what to install."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from functools import lru_cache
from typing import Any, TextIO

from ..i18n import register, t

register({"report.font.missing": (
    "No Chinese (CJK) font is installed, so Chinese text in the PDF and workbook may show as boxes: install "
    "Noto Sans CJK (Debian/Ubuntu: apt-get install fonts-noto-cjk; Windows and macOS have one already).",
    "系统未安装中文（CJK）字体，PDF 和工作簿中的中文可能显示为方框：请安装思源黑体 Noto Sans CJK"
    "（Debian/Ubuntu：apt-get install fonts-noto-cjk；Windows 和 macOS 已自带）。")})

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_told = False


@lru_cache(maxsize=1)
def system_has_cjk_font() -> bool:
    """True when fontconfig lists a font covering Chinese (or, without fontconfig, matplotlib finds one)."""
    if shutil.which("fc-list"):
        try:
            out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=20,
                                 check=False).stdout
            return bool(out.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    from .charts import font_family  # deferred: loads matplotlib (slow to import); only this path needs it

    return font_family()[0] != "DejaVu Sans"


def needs_cjk(context: dict[str, Any]) -> bool:
    """True when the report holds Chinese text (a Chinese report, or Chinese names in an English one)."""
    if context.get("lang") == "zh":
        return True
    names = context["tables"]["completion_matrix"]["department"].astype(str).tolist()
    return any(_CJK.search(n) for n in names)


def warn_if_no_cjk_font(context: dict[str, Any], lang: str, stream: TextIO | None = None) -> bool:
    """Print the one-line install hint (once per process) when the report needs a CJK font and none is
    installed; True when it was printed."""
    global _told
    if _told or not needs_cjk(context) or system_has_cjk_font():
        return False
    _told = True
    print(t("report.font.missing", lang), file=stream or sys.stderr)
    return True
