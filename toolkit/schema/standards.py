"""The standards workbook (DOMAIN.md, "Standards workbook"): the director's people, plans and policy.

DOMAIN.md gives the Appraisal sheet two lists (indicator weights and score bands); they are two
Excel tables side by side on that one sheet (``Appraisal`` in A:C, ``AppraisalBands`` from E), each with its
own optional Valid From.
"""

from __future__ import annotations

from . import enums as E
from .model import ColType as T
from .model import Column, InfoField, Label, Table, WorkbookSchema

L = Label


def valid_from(keyed: bool = True) -> Column:
    """The optional ``Valid From 生效月份`` of a versioned standards table (docs/people.md, "Standards with Valid
    From"): the rows of one key form versions; the one in force for a month has the latest Valid From ≤ it.
    ``keyed``: part of the table's unique key (not on tables without one, such as the tiers)."""
    return Column("valid_from", L("Valid From", "生效月份"), T.MONTH, unique=keyed, quiet=True, version=keyed,
                  help=L("First month these terms apply (YYYY-MM); blank: from the start. A new row with a later "
                         "month changes the terms from then, not before.",
                         "这些条件开始适用的月份（YYYY-MM）；空白：自始适用。新增一行填写较晚的月份，即自该月起变更，之前不变。"))

ROSTER = Table(
    "Roster",
    L("Roster", "人员名册"),
    (
        Column("employee_id", L("Employee ID", "工号"), T.TEXT, required=True, unique=True),
        Column("name", L("Name", "姓名"), T.TEXT, required=True),
        Column("department", L("Department", "部门"), T.TEXT, required=True),
        Column("role", L("Role", "角色"), T.TEXT, required=True, enum=E.ROLE),
        Column("grade", L("Grade", "职级"), T.TEXT, required=True, enum=E.GRADE),
        Column("royalty_plan", L("Royalty Plan", "提成方案"), T.TEXT),
        Column("floating_base", L("Floating Base", "浮动工资基数"), T.MONEY, min_value=0),
        Column("leave_days", L("Leave Days", "年假天数"), T.NUMBER, min_value=0),
        # issue 23 (docs/people.md): both days worked; a leaver stays on the Roster with a Leave Date
        Column("start_date", L("Start Date", "入职日期"), T.DATE, quiet=True,
               help=L("First day worked (blank: employed before the year).", "第一个工作日（空白：年初前已在职）。")),
        Column("leave_date", L("Leave Date", "离职日期"), T.DATE, quiet=True,
               help=L("Last day worked. Someone who leaves stays on the Roster with a Leave Date.",
                      "最后一个工作日。离职人员保留在名册中并填写离职日期。")),
        Column("approver", L("Approver", "审批人"), T.TEXT,
               help=L("Who decides this person's loan slips, claims and leave instead of the director: GM, or an "
                      "employee ID (blank: the director). Give the director's own row GM.",
                      "代替总监审批此人借款、报销和休假的人：总经理，或某人的工号（空白：总监）。总监本人一行请填总经理。")),
        # issue 22: a department's name in the other language, so a workbook whose Info says "South China" is
        # the Roster's 华南 (docs/reading.md, "The department key")
        Column("department_other", L("Department (other language)", "部门(另一语言)"), T.TEXT,
               help=L("The department's name in the other language (South China for 华南), when workbooks use it.",
                      "部门在另一种语言中的名称（如“华南”对应 South China），供使用该名称的工作簿匹配。"),
               aliases=("Department Alias", "部门别名", "Other Department Name", "部门其他名称")),
        Column("cost_centre", L("Cost Centre", "成本中心"), T.TEXT, quiet=True, aliases=("Cost Center",)),
    ),
    L("Everyone in the marketing department, with grade, royalty plan, annual leave and, where not the director, "
      "who approves their items.", "营销部门全体人员及其职级、提成方案、年假天数，以及（不由总监审批时）其事项的审批人。"),
)

ROSTER_CHANGES = Table(
    "RosterChanges",
    L("Roster Changes", "人员变动"),
    (
        Column("employee_id", L("Employee ID", "工号"), T.TEXT, required=True),
        Column("effective_from", L("Effective From", "生效日期"), T.DATE, required=True,
               help=L("A change dated on a month's first day counts from that month, any later day from the next.",
                      "生效日期为某月1日的变动自当月起生效，其他日期自次月起生效。")),
        Column("department", L("Department", "部门"), T.TEXT),
        Column("role", L("Role", "角色"), T.TEXT, enum=E.ROLE),
        Column("grade", L("Grade", "职级"), T.TEXT, enum=E.GRADE),
        Column("royalty_plan", L("Royalty Plan", "提成方案"), T.TEXT),
        Column("floating_base", L("Floating Base", "浮动工资基数"), T.MONEY, min_value=0),
        Column("retroactive", L("Retroactive", "追溯"), T.TEXT, enum=E.YES_NO,
               help=L("Yes: the change replaces the terms from January of its year (default No).",
                      "是：该变动自当年1月起替代原条件（默认否）。")),
    ),
    L("Transfers, promotions and plan changes from a date (docs/people.md); a blank cell means unchanged.",
      "自某日起的调动、晋升和提成方案变更（见 docs/people.md）；空白表示不变。"),
    required=False,
)

ROYALTY_PLANS = Table(
    "RoyaltyPlans",
    L("Royalty Plans", "提成方案"),
    (
        Column("plan", L("Plan", "方案"), T.TEXT, required=True, unique=True),
        Column("basis", L("Basis", "计提基础"), T.TEXT, required=True, enum=E.BASIS),
        Column("method", L("Method", "计算方法"), T.TEXT, required=True, enum=E.METHOD),
        Column("gate", L("Gate %", "门槛%"), T.PERCENT, min_value=0, fraction_range=(0.0, 3.0)),
        Column("annual_cap", L("Annual Cap", "年度上限"), T.MONEY, min_value=0),
        valid_from(),
    ),
    L(
        "Royalty plans: basis (collected or signed), marginal or retroactive tiers, gate on YTD completion, annual cap.",
        "提成方案：计提基础（回款或签约）、超额累进或全额累进、年累计完成率门槛、年度上限。",
    ),
)

ROYALTY_TIERS = Table(
    "RoyaltyTiers",
    L("Royalty Tiers", "提成档位"),
    (
        Column("plan", L("Plan", "方案"), T.TEXT, required=True),
        Column("from_pct", L("From %", "起始%"), T.PERCENT, required=True, min_value=0, fraction_range=(0.0, 3.0)),
        Column("to_pct", L("To %", "截止%"), T.PERCENT, min_value=0, fraction_range=(0.0, 3.0)),  # blank: unbounded
        Column("rate", L("Rate %", "提成比例%"), T.PERCENT, required=True, min_value=0, fraction_range=(0.0, 1.0)),
        valid_from(keyed=False),
    ),
    L("Tiers of each plan by YTD completion; a blank To % is unbounded.", "各方案按年累计完成率分档；截止%为空表示不封顶。"),
)

PRODUCT_LINES = Table(
    "ProductLines",
    L("Product Lines", "产品线"),
    (
        Column("product_line", L("Product Line", "产品线"), T.TEXT, required=True, unique=True),
        Column("royalty_factor", L("Royalty Factor", "提成系数"), T.NUMBER, required=True, min_value=0),
        Column("gross_margin", L("Gross Margin %", "毛利率%"), T.PERCENT, required=True, fraction_range=(-1.0, 1.0)),
        valid_from(),
    ),
    L("Royalty factor and gross margin of each product line.", "各产品线的提成系数和毛利率。"),
)

EXPENSE_POLICY = Table(
    "ExpensePolicy",
    L("Expense Policy", "费用标准"),
    (
        Column("category", L("Category", "类别"), T.TEXT, required=True, enum=E.EXPENSE_CATEGORY, unique=True),
        Column("grade", L("Grade", "职级"), T.TEXT, required=True, enum=E.GRADE, unique=True),
        Column("city_tier", L("City Tier", "城市级别"), T.TEXT, required=True, enum=E.CITY_TIER, unique=True),
        Column("limit", L("Limit", "限额"), T.MONEY, required=True, min_value=0),
        Column("per", L("Per", "计算单位"), T.TEXT, required=True, enum=E.PER),
        Column("receipt_over", L("Receipt Over", "超额需票据"), T.MONEY, min_value=0),
        Column("severity", L("Severity", "严重程度"), T.TEXT, required=True, enum=E.SEVERITY),
        valid_from(),
    ),
    L(
        "Expense limits by category, grade and city tier, per claim or per day; Blocking findings stop the month close.",
        "按类别、职级、城市级别设定的费用限额（每单或每天）；“阻止”级别的问题将阻止月结。",
    ),
)

CITIES = Table(
    "Cities",
    L("Cities", "城市"),
    (
        Column("city", L("City", "城市"), T.TEXT, required=True, unique=True),
        Column("tier", L("Tier", "级别"), T.TEXT, required=True, enum=E.CITY_TIER),
    ),
    L("City tiers for the expense policy.", "费用标准使用的城市级别。"),
)

APPRAISAL = Table(
    "Appraisal",
    L("Appraisal", "考核"),
    (
        # an indicator, or a review item scored on the department's Reviews sheet (DOMAIN.md, "Training and reviews")
        Column("indicator", L("Indicator", "指标"), T.TEXT, required=True, unique=True,
               enum=E.INDICATOR, open_enum=True,
               help=L("One of the indicators, or a review item scored on the Reviews sheet.",
                      "考核指标之一，或在考评表中评分的考评项目。")),
        Column("weight", L("Weight %", "权重%"), T.PERCENT, required=True, min_value=0, fraction_range=(0.0, 1.0)),
        valid_from(),
    ),
    L("Weights of the indicators and review items in the appraisal score; they add up to 100%.",
      "考核得分中各指标及考评项目的权重，合计为100%。"),
)

APPRAISAL_BANDS = Table(
    "AppraisalBands",
    L("Appraisal", "考核"),
    (
        Column("score_from", L("Score From", "得分下限"), T.PERCENT, required=True, fraction_range=(0.0, 3.0)),
        Column("score_to", L("Score To", "得分上限"), T.PERCENT, fraction_range=(0.0, 3.0)),
        Column("band_grade", L("Grade", "等级"), T.TEXT, required=True, unique=True),
        Column("coefficient", L("Coefficient", "系数"), T.NUMBER, required=True, min_value=0),
        valid_from(),
    ),
    L(
        "Score bands: a score in [Score From, Score To) gives the Grade and the floating-salary Coefficient.",
        "得分区间：得分在[下限, 上限)内对应等级和浮动工资系数。",
    ),
    first_column=5,
)

HOLIDAYS = Table(
    "Holidays",
    L("Holidays", "节假日"),
    (
        Column("date", L("Date", "日期"), T.DATE, required=True, unique=True),
        Column("kind", L("Kind", "类型"), T.TEXT, required=True, enum=E.HOLIDAY_KIND),
    ),
    L("Official holidays and make-up workdays.", "法定节假日和调休工作日。"),
    required=False,
)

DELEGATIONS = Table(
    "Delegations",
    L("Delegations", "授权委托"),
    (
        Column("approver", L("Approver", "审批人"), T.TEXT, required=True,
               help=L("Who is away: Director, GM or an employee ID.", "外出的审批人：总监、总经理或工号。")),
        Column("delegate_id", L("Delegate ID", "代理人工号"), T.TEXT, required=True),
        Column("start", L("From", "开始日期"), T.DATE, required=True),
        Column("end", L("To", "结束日期"), T.DATE, required=True),
    ),
    L("While an approver is away (From to To, both included), the delegate decides on their behalf.",
      "审批人外出期间（含起止日），由代理人代为审批。"),
    required=False,
)

THRESHOLDS = Table(
    "Thresholds",
    L("Thresholds", "阈值"),
    (
        Column("name", L("Name", "名称"), T.TEXT, required=True, enum=E.THRESHOLD, unique=True),
        Column("value", L("Value", "数值"), T.NUMBER, required=True),
    ),
    L(
        "Amber Band in percentage points, Advance Limit and Receipt Threshold in money, Plan Tolerance, Plausible"
        " Years; RAG vs Time Progress 1 = lights on annual completion against time progress (0 = plan-to-date"
        " against 100%); Time Progress by Days 1 = elapsed days ÷ days in year; Report in 10k Yuan 1 = Chinese"
        " report in 万元; Aging Bucket 1-6 = last day of each overdue bucket (0 = unused); Budget Warning in percent"
        " of the Expense target, GM Approval Above in money, Reminder After Days in working days (the approval"
        " queue); Offset Advances 1 = the reimbursement batch offsets advances outstanding against claims (0 = pays"
        " claims in full); Pay Leavers On Later Receipts 1 = receipts dated after a Leave Date still earn royalty.",
        "黄灯区间（百分点）、借款上限和票据门槛（金额）、计划容差、合理年份范围；按时间进度亮灯 1 = 以年度完成率对比时间"
        "进度亮灯（0 = 以序时计划完成率对比 100%）；按天计算时间进度 1 = 已过天数 ÷ 全年天数；报告以万元显示 1 = 中文报告"
        "金额以万元显示；账龄分段1-6 = 各逾期分段的最后一天（0 = 不用）；预算预警线（费用目标的百分比）、总经理审批金额、"
        "催办天数（工作日）（审批队列）；借款冲抵报销 1 = 报销批次以未还借款冲抵报销款（0 = 报销款全额支付）；离职后回款计提 1 = 离职日期之后的回款仍计提成。",
    ),
    required=False,
)

#: Defaults used when the Thresholds sheet leaves a name out.
THRESHOLD_DEFAULTS: dict[str, float] = {
    "Amber Band": 10.0,
    "Advance Limit": 20000.0,
    "Receipt Threshold": 200.0,
    "Plan Tolerance": 0.01,
    "Plausible Years": 1.0,
    "RAG vs Time Progress": 0.0,
    "Time Progress by Days": 0.0,
    "Report in 10k Yuan": 0.0,
    **{f"Aging Bucket {i}": float(d) for i, d in enumerate((30, 60, 90, 180, 365, 0), start=1)},
    # floating salary (toolkit.core.appraisal): the coefficient of people without targets, and managers
    # appraised on their department's completion (1) or on their own Plan rows (0)
    "Default Coefficient": 1.0,
    "Manager On Department": 1.0,
    "Budget Warning": 80.0,  # percent of the Expense target at which the approval queue warns
    "GM Approval Above": 5000.0,  # an item above this amount needs the general manager's approval
    "Reminder After Days": 3.0,  # the approval queue's reminder list: items waiting longer (working days)
    "Pay Leavers On Later Receipts": 0.0,  # royalty on receipts after a Leave Date is earned (1) or not (0)
    "Offset Advances": 1.0,  # the reimbursement batch offsets advances outstanding against claims (1) or not (0)
    # the weighted pipeline (toolkit.core.analysis): the chance, in percent, that an open opportunity at this
    # stage is won; Won counts 100 and Lost 0
    "Stage Probability Lead": 10.0,
    "Stage Probability Qualified": 25.0,
    "Stage Probability Proposal": 50.0,
    "Stage Probability Negotiation": 75.0,
}

ADJUSTMENTS = Table(
    "Adjustments",
    L("Adjustments", "调整"),
    (
        Column("employee_id", L("Employee ID", "工号"), T.TEXT, required=True),
        Column("period", L("Period", "期间"), T.MONTH, required=True),
        Column("kind", L("Kind", "类型"), T.TEXT, required=True, enum=E.ADJUSTMENT_KIND),
        Column("amount", L("Amount", "金额"), T.MONEY, required=True),
        Column("reason", L("Reason", "原因"), T.TEXT, required=True, width=36),
        Column("approved_by", L("Approved By", "批准人"), T.TEXT, required=True),
    ),
    L(
        "Manual adjustments paid in their period's close: Bonus and Draw are paid, Penalty and Draw Recovery are"
        " deducted (the sign is the kind's), Correction as signed. Approved By is on the Roster, never the employee.",
        "在所属期间结账时支付的手工调整：奖金、预支为支付，罚款、预支扣回为扣减（正负由类型决定），更正按所填正负。"
        "批准人须在人员名册中，且不能是本人。",
    ),
    required=False,
)

PAYROLL_MAP = Table(
    "PayrollMap",
    L("Payroll Map", "工资项目对照"),
    (
        Column("pay_item", L("Pay Item", "工资项目"), T.TEXT, required=True, enum=E.PAY_ITEM, unique=True),
        Column("payroll_code", L("Payroll Code", "工资代码"), T.TEXT, required=True),
        Column("debit_account", L("Debit Account", "借方科目"), T.TEXT),
        Column("credit_account", L("Credit Account", "贷方科目"), T.TEXT),
    ),
    L(
        "Each pay item's code in the payroll system and the accounts of the accrual journal.",
        "各工资项目在工资系统中的代码，以及计提凭证的借贷科目。",
    ),
    required=False,
)

STANDARDS = WorkbookSchema(
    "standards",
    L("Standards workbook", "标准工作簿"),
    (
        ROSTER,
        ROYALTY_PLANS,
        ROYALTY_TIERS,
        PRODUCT_LINES,
        EXPENSE_POLICY,
        CITIES,
        APPRAISAL,
        APPRAISAL_BANDS,
        HOLIDAYS,
        DELEGATIONS,
        THRESHOLDS,
        ADJUSTMENTS,
        PAYROLL_MAP,
        ROSTER_CHANGES,
    ),
    (InfoField("template_version", L("Template version", "模板版本")),),
)
