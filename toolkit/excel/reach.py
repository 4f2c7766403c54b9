"""Which ribbon button runs each CLI command, and why the others have none.

``tests/test_macros.py`` walks the ``toolkit`` click group and fails when a command is in neither table,
or when a button named here is not a macro of ``toolkit.excel.macros.NAMES``; docs/excel.md lists both.
"""

from __future__ import annotations

from ..i18n import register, t

#: CLI command (space-separated path in the click group) -> the ribbon macros that run its operation.
BUTTONS: dict[str, tuple[str, ...]] = {
    "validate": ("validate",),
    "royalties": ("royalties",),
    "completion": ("completion",),
    "funds": ("funds",),
    "salary": ("salary",),
    "forecast": ("forecast",),
    "report": ("monthly_report", "company_report"),
    "statements": ("statements",),
    "analysis": ("analysis",),
    "consolidate": ("consolidate_folder",),
    "close-month": ("close_month",),
    "close approve": ("approve_close",),
    "approvals queue": ("approval_queue", "gm_queue"),
    "approvals apply": ("apply_decisions",),
    "approvals log": ("approval_log",),
    "appraisal": ("appraisal",),
    "performance-file": ("performance_files",),
    "candidates": ("candidates",),
    "history list": ("history",),
    "new department": ("new_template",),
    "new standards": ("new_template",),
    "plan draft": ("draft_plan",),
    "plan settings": ("plan_settings",),
    "plan cost": ("plan_cost",),
    "plan publish": ("publish_plan",),
    "plan compare": ("compare_versions",),
}

#: CLI command -> why it has no button (shown in docs/excel.md; English and Chinese through the catalog).
NO_BUTTON: dict[str, str] = {
    "addin build": "reach.addin",
    "lite export": "reach.lite",
    "macro": "reach.macro",
    "sample": "reach.sample",
    "demo": "reach.sample",
    "finance export": "reach.finance",
    "finance paid": "reach.finance",
    "history close": "reach.history",
    "history payments": "reach.history",
    "history changes": "reach.history",
    "history person": "reach.history",
    "plan approve": "reach.plan-approve",
    "plan reconcile": "reach.plan-reconcile",
    "db copy": "reach.db",
    "db check": "reach.db",
}

register({
    "reach.addin": ("Builds the add-in itself: it runs before there is a ribbon.",
                    "生成加载项本身：在功能区存在之前运行。"),
    "reach.lite": ("Writes the xlwings Lite script: the path without the add-in.",
                   "生成 xlwings Lite 脚本：不用加载项的途径。"),
    "reach.macro": ("Runs a ribbon macro on a file from the command line (tests and support).",
                    "在命令行对文件运行功能区宏（用于测试和支持）。"),
    "reach.sample": ("Sample data for trying the toolkit, not part of the month's work.",
                     "用于试用的示例数据，不属于月度工作。"),
    "reach.finance": ("Finance's steps after the approved close (payroll file, paid confirmation), run by finance "
                      "with its payroll map, not by the director in the workbook.",
                      "批准月结后的财务步骤（工资文件、付款确认），由财务按其工资映射运行，而不是由总监在工作簿中运行。"),
    "reach.history": ("Needs a period, employee or department argument: History lists every run and close; the "
                      "detail of one stays on the command line for now.",
                      "需要期间、员工或部门参数：“历史记录”按钮列出所有运行和结账；单项明细暂时在命令行查看。"),
    "reach.plan-approve": ("Marks a plan version approved: a deliberate step on the plan folder, kept on the command "
                           "line so an approval is never one stray click.",
                           "将某一计划版本标记为已批准：这是对计划文件夹的一个审慎步骤，保留在命令行，避免误点即批准。"),
    "reach.plan-reconcile": ("Compares departments' proposals with the draft and takes them by department: several "
                             "folders and choices, clearer on the command line for now.",
                             "将各部门提交的方案与草案对比并按部门采纳：涉及多个文件夹和选择，暂时在命令行更清楚。"),
    "reach.db": ("Moves or checks the history store itself (e.g. to PostgreSQL): an administrator's step, with "
                 "database URLs, not part of the month's work in the workbook.",
                 "迁移或检查历史库本身（例如迁到 PostgreSQL）：这是管理员的操作，需要数据库地址，不属于工作簿中的月度工作。"),
})


def reason(command: str, lang: str = "en") -> str:
    """Why ``command`` has no ribbon button, in ``lang``."""
    return t(NO_BUTTON[command], lang)
