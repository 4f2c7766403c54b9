"""Every enumeration of DOMAIN.md, with its English code and both languages' labels."""

from __future__ import annotations

from .model import Enumeration, Label


def _enum(key: str, *pairs: tuple[str, str]) -> Enumeration:
    return Enumeration(key, {en: Label(en, zh) for en, zh in pairs})


INDICATOR = _enum(
    "indicator", ("Signing", "签约"), ("Collection", "回款"), ("Expense", "费用"), ("Profit", "利润")
)
CONTRACT_STATUS = _enum(
    "contract_status",
    ("Signed", "已签订"),
    ("Executing", "履行中"),
    ("Completed", "已完成"),
    ("Terminated", "已终止"),
)
EXPENSE_CATEGORY = _enum(
    "expense_category",
    ("Travel", "差旅"),
    ("Accommodation", "住宿"),
    ("Meals", "餐费"),
    ("Entertainment", "招待"),
    ("Transport", "交通"),
    ("Advertising", "广告"),
    ("Conference", "会议"),
    ("Other", "其他"),
)
APPROVAL = _enum("approval", ("Pending", "待审批"), ("Approved", "已批准"), ("Rejected", "已驳回"))
LEAVE_TYPE = _enum("leave_type", ("Annual", "年假"), ("Sick", "病假"), ("Personal", "事假"), ("Other", "其他"))
FEEDBACK_TYPE = _enum(
    "feedback_type", ("Complaint", "投诉"), ("Suggestion", "建议"), ("Competitor", "竞品"), ("Market", "市场")
)
FEEDBACK_STATUS = _enum("feedback_status", ("Open", "待处理"), ("In Progress", "处理中"), ("Closed", "已关闭"))
PAYMENT_METHOD = _enum(
    "payment_method",
    ("Bank Transfer", "银行转账"),
    ("Acceptance Bill", "承兑汇票"),
    ("Cheque", "支票"),
    ("Cash", "现金"),
    ("Other", "其他"),
)
#: Opportunities (DOMAIN.md, "Sales statistics and market analysis"): the route to market and the stage.
OPPORTUNITY_ROUTE = _enum(
    "opportunity_route", ("Direct", "直销"), ("Distributor", "经销"), ("Bid", "招投标"), ("Online", "线上"),
    ("Other", "其他"),
)
OPPORTUNITY_STAGE = _enum(
    "opportunity_stage", ("Lead", "线索"), ("Qualified", "已确认"), ("Proposal", "方案"), ("Negotiation", "谈判"),
    ("Won", "赢单"), ("Lost", "丢单"),
)
YES_NO = _enum("yes_no", ("Yes", "是"), ("No", "否"))
ROLE = _enum("role", ("Salesperson", "销售"), ("Manager", "经理"), ("Staff", "职员"))
GRADE = _enum("grade", ("G1", "G1"), ("G2", "G2"), ("G3", "G3"), ("G4", "G4"), ("G5", "G5"))
BASIS = _enum("basis", ("Collected", "回款"), ("Signed", "签约"))
METHOD = _enum("method", ("Marginal", "超额累进"), ("Retroactive", "全额累进"))
PER = _enum("per", ("Claim", "每单"), ("Day", "每天"))
SEVERITY = _enum("policy_severity", ("Warning", "警告"), ("Blocking", "阻止"))
CITY_TIER = _enum("city_tier", ("1", "一线"), ("2", "二线"), ("3", "三线"))
HOLIDAY_KIND = _enum("holiday_kind", ("Holiday", "节假日"), ("Workday", "调休工作日"))
ADJUSTMENT_KIND = _enum(
    "adjustment_kind",
    ("Bonus", "奖金"),
    ("Penalty", "罚款"),
    ("Draw", "预支"),
    ("Draw Recovery", "预支扣回"),
    ("Correction", "更正"),
)
#: Pay items (DOMAIN.md, "Money leaving the toolkit"): what a close pays, each mapped to a payroll code.
PAY_ITEM = _enum(
    "pay_item",
    ("Royalty Payment", "提成"),
    ("Royalty Adjustment", "提成调整"),
    ("Prior-Year Adjustment", "上年提成调整"),
    ("Floating Pay", "浮动工资"),
    *((code, label.zh) for code, label in ADJUSTMENT_KIND.values.items()),
)
#: What a column of finance's payroll layout holds (``toolkit.schema.finance.PAYROLL_LAYOUT``).
PAYROLL_FIELD = _enum(
    "payroll_field",
    ("Line ID", "行号"),
    ("Employee ID", "工号"),
    ("Name", "姓名"),
    ("Department", "部门"),
    ("Cost Centre", "成本中心"),
    ("Pay Item", "工资项目"),
    ("Payroll Code", "工资代码"),
    ("Amount", "金额"),
    ("Period", "期间"),
    ("Debit Account", "借方科目"),
    ("Credit Account", "贷方科目"),
    ("Paid Date", "支付日期"),
)
THRESHOLD = _enum(
    "threshold",
    ("Amber Band", "黄灯区间"),
    ("Advance Limit", "借款上限"),
    ("Receipt Threshold", "票据门槛"),
    ("Plan Tolerance", "计划容差"),
    ("Plausible Years", "合理年份范围"),
    ("RAG vs Time Progress", "按时间进度亮灯"),
    ("Time Progress by Days", "按天计算时间进度"),
    ("Report in 10k Yuan", "报告以万元显示"),
    *((f"Aging Bucket {i}", f"账龄分段{i}") for i in range(1, 7)),
    ("Default Coefficient", "默认考核系数"),
    ("Manager On Department", "经理按部门考核"),
    ("Budget Warning", "预算预警线"),
    ("GM Approval Above", "总经理审批金额"),
    ("Reminder After Days", "催办天数"),
    ("Offset Advances", "借款冲抵报销"),
    ("Pay Leavers On Later Receipts", "离职后回款计提"),
    ("Stage Probability Lead", "商机概率-线索"),
    ("Stage Probability Qualified", "商机概率-已确认"),
    ("Stage Probability Proposal", "商机概率-方案"),
    ("Stage Probability Negotiation", "商机概率-谈判"),
)

ALL = (
    INDICATOR,
    CONTRACT_STATUS,
    EXPENSE_CATEGORY,
    APPROVAL,
    LEAVE_TYPE,
    FEEDBACK_TYPE,
    FEEDBACK_STATUS,
    OPPORTUNITY_ROUTE,
    OPPORTUNITY_STAGE,
    PAYMENT_METHOD,
    YES_NO,
    ROLE,
    GRADE,
    BASIS,
    METHOD,
    PER,
    SEVERITY,
    CITY_TIER,
    HOLIDAY_KIND,
    ADJUSTMENT_KIND,
    PAY_ITEM,
    PAYROLL_FIELD,
    THRESHOLD,
)
