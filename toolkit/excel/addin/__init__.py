"""Build ``MarketingToolkit.xlam``, the ribbon add-in, without Excel (or with it: ``via_excel``).

Why our own writer: PyPI has readers of compound files (olefile, compoundfiles) but no maintained
writer, and ``ms-ovba``/``ms-cfb`` are young; patching the Excel-made vbaProject.bin that ships with
xlwings would still need a compound-file writer and would carry stale p-code. MS-OVBA lets a writer
store source only (``_VBA_PROJECT`` version 0xFFFF, module streams with source at offset 0): Office
then compiles the source on load. So ``ovba.py`` + ``cfb.py`` write exactly that, from the ``.bas``
texts in ``vba/`` and xlwings' own module; tests check the result with oletools, olefile and LibreOffice.
"""

from __future__ import annotations

import re
from importlib import resources
from xml.sax.saxutils import escape
from pathlib import Path

from ...errors import ToolkitError
from ...i18n import normalize_lang, register, t
from .. import settings as S
from . import package as P
from .modules import addin_modules
from .ovba import Module, vba_project

#: The VBA part's messages. VBA source is code page 1252, so TK_Ribbon.bas holds the Chinese as UTF-16 hex
#: (``TK_Say``); tests check that its literals are exactly these texts.
VBA_MESSAGES = {
    "addin.vba.need-workbook": ("Open a workbook first.", "请先打开一个工作簿。"),
    "addin.vba.about": ("Marketing Toolkit add-in", "营销工具包加载项"),
    "addin.vba.python": ("Python: ", "Python："),
    "addin.vba.standards": ("Standards workbook: ", "标准工作簿："),
    "addin.vba.language": ("Language: ", "语言："),
}
register(VBA_MESSAGES)
register({
    "addin.no-folder": ("Cannot write the add-in {path}: the folder {folder} does not exist.",
                        "无法写入加载项 {path}：文件夹 {folder} 不存在。"),
})

#: The ribbon's labels (tab, groups, buttons) by control id: ``ribbon_xml(lang)`` writes them into the built
#: ribbon, so a Chinese build shows Chinese labels (tooltips are bilingual in the XML itself).
RIBBON_TEXT = {
    "ribbon.tkMarketingTab": ("Marketing", "营销"),
    "ribbon.tkCheck": ("Check", "检查"),
    "ribbon.tkValidate": ("Validate", "校验"),
    "ribbon.tkCompute": ("Compute", "计算"),
    "ribbon.tkRoyalties": ("Royalties", "提成"),
    "ribbon.tkCompletion": ("Completion", "完成率"),
    "ribbon.tkFunds": ("Funds", "资金"),
    "ribbon.tkReport": ("Report", "报告"),
    "ribbon.tkMonthlyReport": ("Monthly report", "月度报告"),
    "ribbon.tkStatements": ("Statements", "结算单"),
    "ribbon.tkAnalysis": ("Analysis", "分析"),
    "ribbon.tkConsolidateFolder": ("Consolidate folder", "汇总文件夹"),
    "ribbon.tkCompany": ("Company", "公司"),
    "ribbon.tkCloseMonth": ("Close month", "月结"),
    "ribbon.tkCompanyReport": ("Company report", "公司报告"),
    "ribbon.tkSalary": ("Salary", "浮动工资"),
    "ribbon.tkForecast": ("Forecast", "预测"),
    "ribbon.tkAppraisal": ("Appraisal", "考核排名"),
    "ribbon.tkPerformanceFiles": ("Performance files", "绩效档案"),
    "ribbon.tkCandidates": ("Candidates", "晋升候选人"),
    "ribbon.tkHistory": ("History", "历史记录"),
    "ribbon.tkApprove": ("Approve", "审批"),
    "ribbon.tkApproveSelection": ("Approve selection", "批准所选"),
    "ribbon.tkRejectSelection": ("Reject selection", "驳回所选"),
    "ribbon.tkApprovalQueue": ("Approval queue", "审批队列"),
    "ribbon.tkGMQueue": ("GM queue", "总经理队列"),
    "ribbon.tkApplyDecisions": ("Apply decisions", "写回审批决定"),
    "ribbon.tkApprovalLog": ("Approval log", "审批记录"),
    "ribbon.tkApproveClose": ("Approve close", "批准月结"),
    "ribbon.tkWorkbooks": ("Workbooks", "工作簿"),
    "ribbon.tkNewTemplate": ("New template", "新建模板"),
    "ribbon.tkDraftPlan": ("Draft plan", "编制计划"),
    "ribbon.tkPlanSettings": ("Plan settings", "计划设置"),
    "ribbon.tkPlanCost": ("Plan cost", "计划成本"),
    "ribbon.tkPublishPlan": ("Publish plan", "发布计划"),
    "ribbon.tkComparePlans": ("Compare plans", "比较计划"),
    "ribbon.tkImportFunctions": ("Import functions", "导入函数"),
    "ribbon.tkAbout": ("Settings", "设置"),
}
register(RIBBON_TEXT)
_LABEL = re.compile(r'(<\w+ id="(\w+)" label=")([^"]*)(")')

UI_DIR = resources.files(__package__) / "customui"
DEFAULT_NAME = f"{S.PROJECT_NAME}.xlam"


def localise_ribbon(xml: bytes, lang: str) -> bytes:
    """The ribbon XML with every control's label in ``lang`` (``RIBBON_TEXT``; a control without an entry keeps
    its label)."""
    def label(m: re.Match[str]) -> str:
        key = f"ribbon.{m.group(2)}"
        text = t(key, lang) if key in RIBBON_TEXT else m.group(3)
        return m.group(1) + escape(text, {'"': "&quot;"}) + m.group(4)

    return _LABEL.sub(label, xml.decode("utf-8")).encode("utf-8")


def ribbon_xml(lang: str = "en") -> tuple[bytes, bytes]:
    """(customUI.xml for Office 2007, customUI14.xml for Office 2010+) of ``customui/``, labels in ``lang``."""
    return tuple(localise_ribbon((UI_DIR / name).read_bytes(), normalize_lang(lang))  # type: ignore[return-value]
                 for name in ("customUI.xml", "customUI14.xml"))


def settings_rows(standards: str | None = None, lang: str | None = None,
                  interpreter_win: str | None = None, interpreter_mac: str | None = None) -> dict[str, str]:
    """The add-in's settings sheet. Only given values get a row: an empty row would hide the same key in
    the user's conf file (xlwings' GetConfig stops at the first layer that has the key)."""
    rows = {S.UDF_MODULES_KEY: S.UDF_MODULES}
    for key, value in ((S.INTERPRETER_WIN_KEY, interpreter_win), (S.INTERPRETER_MAC_KEY, interpreter_mac),
                       (S.STANDARDS_KEY, standards), (S.LANG_KEY, lang)):
        if value:
            rows[key] = value
    return rows


def build_parts(settings: dict[str, str], modules: list[Module] | None = None) -> dict[str, bytes]:
    """Every part of the add-in package, name -> bytes."""
    ui_2007, ui_2010 = ribbon_xml(settings.get(S.LANG_KEY) or "en")
    mods = addin_modules() if modules is None else modules
    return {
        "[Content_Types].xml": P.content_types().encode(),
        "_rels/.rels": P.package_rels().encode(),
        "docProps/core.xml": P.core_xml("Marketing Toolkit").encode(),
        "docProps/app.xml": P.APP.encode(),
        "xl/workbook.xml": P.workbook_xml().encode(),
        "xl/_rels/workbook.xml.rels": P.workbook_rels().encode(),
        "xl/worksheets/sheet1.xml": P.sheet_xml(settings).encode(),
        "xl/styles.xml": P.STYLES.encode(),
        "xl/vbaProject.bin": vba_project(S.PROJECT_NAME, mods),
        **P.custom_ui_parts(ui_2007, ui_2010),
    }


def build_addin(path: str | Path = DEFAULT_NAME, **settings: str | None) -> Path:
    """Write the add-in to ``path`` atomically; ``settings`` as for ``settings_rows``. Returns the path."""
    out = Path(path)
    if not out.parent.is_dir():
        raise ToolkitError("addin.no-folder", path=str(out), folder=str(out.parent))
    P.write_package(out, build_parts(settings_rows(**settings)))
    return out
