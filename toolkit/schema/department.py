"""The department workbook (DOMAIN.md, "Department workbook"): one per department, a rolling register."""

from __future__ import annotations

from . import enums as E
from .model import ColType as T
from .model import Column, InfoField, Label, Table, WorkbookSchema

L = Label

MONTH_NAMES = tuple(
    L(en, f"{i}月")
    for i, en in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1
    )
)
#: Plan columns for the twelve months, keys m01..m12.
MONTH_KEYS = tuple(f"m{i:02d}" for i in range(1, 13))


def _employee(required: bool = True) -> Column:
    return Column("employee_id", L("Employee ID", "工号"), T.TEXT, required=required)


PLAN = Table(
    "Plan",
    L("Plan", "计划"),
    (
        _employee(),
        Column("indicator", L("Indicator", "指标"), T.TEXT, required=True, enum=E.INDICATOR),
        *(Column(k, label, T.MONEY, min_value=0) for k, label in zip(MONTH_KEYS, MONTH_NAMES)),
        Column("annual", L("Annual", "全年"), T.MONEY, required=True, min_value=0),
    ),
    L(
        "Monthly targets per employee and indicator for the year; Annual must equal the sum of the months.",
        "每位员工每个指标的月度目标；全年必须等于各月之和。",
    ),
)

BUDGET = Table(
    "Budget",
    L("Budget", "预算"),
    (
        Column("category", L("Category", "类别"), T.TEXT, required=True, unique=True, enum=E.EXPENSE_CATEGORY),
        *(Column(k, label, T.MONEY, min_value=0) for k, label in zip(MONTH_KEYS, MONTH_NAMES)),
        Column("annual", L("Annual", "全年"), T.MONEY, required=True, min_value=0),
    ),
    L(
        "The department's expense budget by category for the Info Year: each month the categories add up to the "
        "Expense targets of the Plan sheet; Annual must equal the sum of the months.",
        "本部门本年度按费用类别的预算：每月各类别之和等于计划表中费用指标之和；全年必须等于各月之和。",
    ),
    required=False,
)

_RECEIVABLES = L("receivables, their aging and the fund recovery", "应收账款、账龄及资金回收")
_DUE_DATES = L("receivables' due dates and aging", "应收账款到期日及账龄")
_SPLITS = L("every contract would be credited 100% to its owner, even those shared with a split partner",
            "所有合同都将全部计入合同负责人，包括与他人分成的合同")

CONTRACTS = Table(
    "Contracts",
    L("Contracts", "合同"),
    (
        Column("contract_no", L("Contract No", "合同编号"), T.TEXT, required=True, unique=True),
        Column("sign_date", L("Sign Date", "签订日期"), T.DATE, required=True),
        Column("customer", L("Customer", "客户"), T.TEXT, required=True, width=28),
        _employee(),
        Column("product_line", L("Product Line", "产品线"), T.TEXT, required=True),
        Column("amount", L("Amount", "合同金额"), T.MONEY, required=True, min_value=0),
        Column("status", L("Status", "状态"), T.TEXT, required=True, enum=E.CONTRACT_STATUS),
        Column("delivered", L("Delivered", "已履约金额"), T.MONEY, min_value=0, aliases=("Delivered Amount", "已履约"),
               needed_for=_RECEIVABLES),
        Column("payment_terms", L("Payment Terms (days)", "账期(天)"), T.INTEGER, min_value=0,
               aliases=("Payment Terms", "付款账期", "账期天数"), needed_for=_DUE_DATES),
        Column("split_employee_id", L("Split Employee ID", "分成工号"), T.TEXT, needed_for=_SPLITS,
               missing_stops=True),
        Column("split_share", L("Split Share", "分成比例"), T.PERCENT, min_value=0, fraction_range=(0.0, 1.0),
               needed_for=_SPLITS, missing_stops=True),
    ),
    L(
        "Every contract signed, one row each; a split credits Split Share to the split employee.",
        "每份签订的合同一行；填写分成时，分成比例计入分成工号对应员工。",
    ),
)

COLLECTIONS = Table(
    "Collections",
    L("Collections", "回款"),
    (
        Column("receipt_no", L("Receipt No", "收款编号"), T.TEXT, required=True, unique=True),
        Column("receipt_date", L("Receipt Date", "收款日期"), T.DATE, required=True),
        Column("contract_no", L("Contract No", "合同编号"), T.TEXT, required=True),
        Column("amount", L("Amount", "金额"), T.MONEY, required=True),  # refunds are negative
        Column("method", L("Method", "方式"), T.TEXT, enum=E.PAYMENT_METHOD),
    ),
    L(
        "Every receipt against a contract; a refund is a negative amount.",
        "每笔合同回款；退款填负数。",
    ),
)

EXPENSES = Table(
    "Expenses",
    L("Expenses", "费用"),
    (
        Column("claim_no", L("Claim No", "报销编号"), T.TEXT, required=True, unique=True),
        Column("date", L("Date", "日期"), T.DATE, required=True),
        _employee(),
        Column("category", L("Category", "类别"), T.TEXT, required=True, enum=E.EXPENSE_CATEGORY),
        Column("city", L("City", "城市"), T.TEXT),
        Column("days", L("Days", "天数"), T.INTEGER, min_value=0),
        Column("amount", L("Amount", "金额"), T.MONEY, required=True, min_value=0),
        Column("receipt", L("Receipt", "有票据"), T.BOOL, enum=E.YES_NO),
        Column("description", L("Description", "说明"), T.TEXT, width=32),
        Column("approval", L("Approval", "审批"), T.TEXT, enum=E.APPROVAL),
        Column("approver", L("Approver", "审批人"), T.TEXT),
    ),
    L(
        "Expense claims; Days is the number of days for per-day limits (travel, accommodation).",
        "费用报销；天数用于按天计算的标准（差旅、住宿）。",
    ),
)

ADVANCES = Table(
    "Advances",
    L("Advances", "借款"),
    (
        Column("slip_no", L("Slip No", "借款单号"), T.TEXT, required=True, unique=True),
        Column("date", L("Date", "日期"), T.DATE, required=True),
        _employee(),
        Column("amount", L("Amount", "金额"), T.MONEY, required=True, min_value=0),
        Column("purpose", L("Purpose", "用途"), T.TEXT, width=28),
        Column("due_date", L("Due Date", "应还日期"), T.DATE),
        Column("repaid", L("Repaid", "已还金额"), T.MONEY, min_value=0),
        # Optional: workbooks made before loan slips were approved in the toolkit have no such column.
        Column("approval", L("Approval", "审批"), T.TEXT, enum=E.APPROVAL),
    ),
    L("Cash advances (loan slips) to employees, what has been repaid, and their approval.",
      "员工借款（借款单）、已归还金额及审批状态。"),
    required=False,
)

LEAVE = Table(
    "Leave",
    L("Leave", "休假"),
    (
        Column("request_no", L("Request No", "申请编号"), T.TEXT, required=True, unique=True),
        _employee(),
        Column("type", L("Type", "类型"), T.TEXT, required=True, enum=E.LEAVE_TYPE),
        Column("start", L("Start", "开始"), T.DATE, required=True),
        Column("end", L("End", "结束"), T.DATE, required=True),
        Column("days", L("Days", "天数"), T.NUMBER, min_value=0),
        Column("approval", L("Approval", "审批"), T.TEXT, enum=E.APPROVAL),
    ),
    L("Leave requests; Days counts working days (holidays excluded).", "休假申请；天数按工作日计算（不含节假日）。"),
    required=False,
)

FORECAST = Table(
    "Forecast",
    L("Forecast", "资金预测"),
    (
        Column("month", L("Month", "月份"), T.MONTH, required=True),
        Column("expected_collections", L("Expected Collections", "预计回款"), T.MONEY, min_value=0),
        Column("expected_spending", L("Expected Spending", "预计支出"), T.MONEY, min_value=0),
        Column("notes", L("Notes", "备注"), T.TEXT, width=32),
    ),
    L("Expected collections and spending for the coming months.", "未来几个月的预计回款和预计支出。"),
    required=False,
)

FEEDBACK = Table(
    "Feedback",
    L("Feedback", "市场反馈"),
    (
        Column("date", L("Date", "日期"), T.DATE, required=True),
        Column("customer", L("Customer", "客户"), T.TEXT, width=28),
        Column("product_line", L("Product Line", "产品线"), T.TEXT),
        Column("type", L("Type", "类型"), T.TEXT, required=True, enum=E.FEEDBACK_TYPE),
        Column("content", L("Content", "内容"), T.TEXT, required=True, width=40),
        Column("owner", L("Owner", "负责人"), T.TEXT),
        Column("status", L("Status", "状态"), T.TEXT, enum=E.FEEDBACK_STATUS),
    ),
    L("Complaints, suggestions, competitor and market news from customers.", "客户投诉、建议、竞品和市场信息。"),
    required=False,
)

OPPORTUNITIES = Table(
    "Opportunities",
    L("Opportunities", "商机"),
    (
        Column("opportunity_no", L("Opportunity No", "商机编号"), T.TEXT, required=True, unique=True),
        Column("customer", L("Customer", "客户"), T.TEXT, required=True, width=28),
        Column("product_line", L("Product Line", "产品线"), T.TEXT),
        Column("route", L("Route", "渠道"), T.TEXT, enum=E.OPPORTUNITY_ROUTE),
        Column("stage", L("Stage", "阶段"), T.TEXT, required=True, enum=E.OPPORTUNITY_STAGE),
        Column("expected_amount", L("Expected Amount", "预计金额"), T.MONEY, required=True, min_value=0),
        Column("expected_close", L("Expected Close", "预计成交月份"), T.MONTH),
        _employee(required=False),
        Column("lost_reason", L("Lost Reason", "丢单原因"), T.TEXT, width=28),
        Column("contract_no", L("Contract No", "合同编号"), T.TEXT),
    ),
    L(
        "Sales opportunities: one row each, moved through the stages; a won one names its contract, a lost one "
        "its reason.",
        "销售商机：每个商机一行，随阶段推进更新；赢单填写合同编号，丢单填写丢单原因。",
    ),
    required=False,
)

REVIEWS = Table(
    "Reviews",
    L("Reviews", "考评"),
    (
        _employee(),
        Column("period", L("Period", "考评期"), T.TEXT, required=True,
               help=L("The quarter reviewed, written 2025-Q1.", "考评的季度，写作 2025-Q1。")),
        Column("item", L("Item", "考评项目"), T.TEXT, required=True,
               help=L("A review item named in the standards' Appraisal weights.", "标准考核权重表中列出的考评项目。")),
        Column("score", L("Score", "得分"), T.NUMBER, required=True, min_value=0,
               help=L("0 to 100.", "0 至 100 分。")),
        Column("comment", L("Comment", "评语"), T.TEXT, width=40),
        Column("reviewer", L("Reviewer", "考评人"), T.TEXT, required=True,
               help=L("The reviewer's Employee ID (or name) on the Roster; never the person reviewed.",
                      "考评人的工号（或姓名），须在人员名册中，且不能是被考评人本人。")),
    ),
    L("Managers' scores (0-100) per person, quarter and review item of the Appraisal weights.",
      "经理按季度对每位员工各考评项目（考核权重表中所列）的评分（0-100）。"),
    required=False,
)

TRAINING = Table(
    "Training",
    L("Training", "培训"),
    (
        _employee(),
        Column("course", L("Course", "课程"), T.TEXT, required=True, width=28),
        Column("date", L("Date", "日期"), T.DATE, required=True),
        Column("hours", L("Hours", "学时"), T.NUMBER, required=True, min_value=0),
        Column("result", L("Result", "结果"), T.TEXT),
    ),
    L("Training attended: one row per person and course.", "参加的培训：每人每门课程一行。"),
    required=False,
)

INFO = (
    InfoField("department", L("Department", "部门")),
    InfoField("year", L("Year", "年度"), T.INTEGER),
    InfoField("period", L("Period", "报告期"), T.MONTH),
    InfoField("prepared_by", L("Prepared by", "填报人")),
    InfoField("template_version", L("Template version", "模板版本")),
)

DEPARTMENT = WorkbookSchema(
    "department",
    L("Department workbook", "部门工作簿"),
    (PLAN, BUDGET, CONTRACTS, COLLECTIONS, EXPENSES, ADVANCES, LEAVE, FORECAST, FEEDBACK, OPPORTUNITIES, REVIEWS,
     TRAINING),
    INFO,
)
