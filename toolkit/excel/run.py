"""The plumbing every ribbon macro shares: the workbook port, the add-in's settings, questions, and a
``ToolkitError`` shown as a message (``run``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.periods import check_period
from ..core.tables import WorkbookData
from ..errors import ToolkitError
from ..i18n import register, t
from ..operations.consolidate.discovery import sniff_kind
from ..operations.source import Source
from ..operations.validate import read_file
from . import settings as S
from .port import WorkbookPort
from .xlwings_port import XlwingsPort

register({
    "macro.q.standards": ("Path of the standards workbook:", "标准工作簿的路径："),
    "macro.q.period": ("Period to compute (YYYY-MM):", "计算期间（YYYY-MM）："),
    "macro.no-standards": ("No standards workbook: set TOOLKIT_STANDARDS in the add-in's settings.",
                           "没有标准工作簿：请在加载项设置中填写 TOOLKIT_STANDARDS。"),
    "macro.no-period": ("No period: fill Period on the Info sheet or answer YYYY-MM.",
                        "没有报告期：请在信息表填写报告期，或输入 YYYY-MM。"),
    "macro.not-department": ("{file} is not a department workbook: open one, or use Consolidate folder for a folder "
                             "of them.", "{file} 不是部门工作簿：请打开部门工作簿，或用“汇总文件夹”处理整个文件夹。"),
    "macro.output-book": ("{file} is a workbook the toolkit wrote, not a department's: for the company use Company "
                          "report, Salary or Forecast (they read the history store).",
                          "{file} 是工具生成的工作簿，不是部门工作簿：公司层面请用“公司报告”“浮动工资”或“预测”（读取历史库）。"),
    "macro.standards-book": ("{file} is the standards workbook: open a department workbook and click the button "
                             "there.", "{file} 是标准工作簿：请打开部门工作簿后再点此按钮。"),
    "macro.no-folder": ("No folder chosen.", "未选择文件夹。"),
    "macro.not-folder": ("{path} is not a folder.", "{path} 不是文件夹。"),
})


def _port(book: Any) -> WorkbookPort:
    """The port for ``book``: a port as is, an xlwings Book wrapped, None -> the calling workbook."""
    if isinstance(book, WorkbookPort):
        return book
    if book is None:
        import xlwings as xw  # deferred: xlwings is slow to import and needs Excel; only the live-Excel path uses it

        book = xw.Book.caller()
    return XlwingsPort(book)


#: Answers that mean yes to a question (both languages).
YES = {"y", "yes", "true", "1", "是", "ok"}


@dataclass
class Run:
    """One macro run: the port, the settings and what has been read."""

    port: WorkbookPort
    settings: S.Settings
    _data: WorkbookData | None = field(default=None, repr=False)

    @property
    def lang(self) -> str:
        return self.settings.lang

    def data(self) -> WorkbookData:
        if self._data is None:
            self._data = self.port.read_data()
        return self._data

    def department(self) -> WorkbookData:
        """The workbook's tables; a consolidated/output, standards or other workbook is refused in one line that
        names the button to use instead (``sniff_kind``, as consolidation recognises outputs)."""
        kind = sniff_kind(Path(self.port.path)) if self.port.path is not None and Path(self.port.path).exists() else None
        name = Path(self.port.path).name if self.port.path is not None else "?"
        if kind in ("output", "standards"):
            raise ToolkitError(f"macro.{kind}-book", file=name)
        data = self.data()
        if data.kind != "department":
            raise ToolkitError("macro.not-department", file=Path(str(data.path)).name)
        return data

    def ask(self, key: str, default: str | None = None, **params: Any) -> str | None:
        answer = self.port.ask(key, t(f"macro.q.{key}", self.lang, **params), default)
        return answer.strip() if isinstance(answer, str) and answer.strip() else None

    def standards_path(self, required: bool) -> str | None:
        path = self.settings.standards or self.ask("standards")
        if path is None and required:
            raise ToolkitError("macro.no-standards")
        return path

    def source(self, *, standards: bool, paths: Sequence[Path] = (), db: str | None = None,
               workbook: WorkbookData | None = None) -> Source:
        """The run's ``Source``: the settings' standards (asked for when unset; ``standards``: required), and
        ``paths``/``db``/``workbook``; the user is asked before error findings refuse a computation."""
        def confirm(count: int) -> bool:
            return (self.ask("force", "no", count=count) or "").casefold() in YES

        return Source(paths, self.standards_path(standards), db, workbook=workbook, confirm=confirm, lang=self.lang)

    def standards(self, required: bool) -> WorkbookData | None:
        """The standards workbook as read (``Source.read_standards``), None when none is set and not required."""
        return self.source(standards=required).read_standards()

    def period(self) -> str:
        try:
            data: WorkbookData | None = self.data()
        except ToolkitError:  # e.g. Consolidate clicked on some other workbook: just ask
            data = None
        period = data.info.get("period") if data is not None and data.kind == "department" else None
        period = period or self.ask("period")
        if not period:
            raise ToolkitError("macro.no-period")
        return check_period(str(period))

    def folder(self) -> Path:
        """Where outputs go: the workbook's folder (the home folder for a workbook never saved)."""
        return self.port.path.parent if self.port.path is not None else Path.home()

    def chosen_folder(self, key: str) -> Path:
        """A folder asked for (question ``key``, default the workbook's folder); it must exist."""
        answer = self.ask(key, str(self.folder()))
        if not answer:
            raise ToolkitError("macro.no-folder")
        folder = Path(answer).expanduser()
        if not folder.is_dir():
            raise ToolkitError("macro.not-folder", path=str(folder))
        return folder

    def stem(self) -> str:
        return self.port.path.stem if self.port.path is not None else "workbook"


def _settings(port: WorkbookPort) -> S.Settings:
    """Settings as the add-in resolves them, including a ``MarketingToolkit.conf`` sheet in the workbook."""
    sheet: dict[str, str] = {}
    if S.SHEET_NAME in port.sheet_names():
        for row in port.read_values(S.SHEET_NAME):
            if len(row) >= 2 and row[0] not in (None, ""):
                sheet[str(row[0]).strip()] = "" if row[1] is None else str(row[1]).strip()
    return S.load_settings(port.path, sheet)


def run(book: Any, body: Callable[[Run], Any]) -> Any:
    """Run a macro's ``body`` on ``book`` (see ``_port``); a ``ToolkitError`` becomes a message box and None."""
    port = _port(book)
    run = Run(port, _settings(port))
    try:
        return body(run)
    except ToolkitError as exc:
        port.message(exc.message(run.lang), "error")
        return None
