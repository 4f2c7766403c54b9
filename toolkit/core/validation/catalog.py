"""Every finding code the validation rules raise, declared once with its severity and both languages.

The reader declares its own codes (``type-error``, ``formula-error``...) in ``toolkit.core.findings``.
Messages are ``str.format`` templates; ``*_zh`` parameters carry the Chinese form of a label.
"""

from __future__ import annotations

from ..findings import declare

_ = declare

# --- schema ---------------------------------------------------------------------------------
_("required-missing", "error", ("Required value missing", "缺少必填值"),
  ("{sheet}!{cell}: {column!r} is required.", "{sheet}!{cell}：“{column}”为必填项。"))
_("enum-invalid", "error", ("Value not in the list", "取值不在列表中"),
  ("{sheet}!{cell}: {value!r} is not one of: {allowed}.", "{sheet}!{cell}：“{value}”不在可选值中：{allowed_zh}。"))
_("out-of-range", "error", ("Value out of range", "数值超出范围"),
  ("{sheet}!{cell}: {column} {value} is below the minimum {minimum}.",
   "{sheet}!{cell}：“{column}”{value}低于下限{minimum}。"))
_("duplicate-key", "error", ("Duplicate key", "重复编号"),
  ("{sheet}!{cell}: {column} {value!r} already appears in row {first_row}.",
   "{sheet}!{cell}：“{column}”{value}与第{first_row}行重复。"))
_("date-out-of-period", "error", ("Date outside the plausible window", "日期超出合理范围"),
  ("{sheet}!{cell}: {value} is outside {start}..{end} (the workbook's year {year} ± {years} years).",
   "{sheet}!{cell}：{value}不在{start}至{end}之间（工作簿年度{year}前后{years}年）。"))
_("plan-year-mismatch", "error", ("Plan year differs from the period", "计划年度与报告期不符"),
  ("Info!Year is {value} but the period is {period}: the Plan holds {value}'s targets. Roll the workbook into "
   "{period_year} (set Year and enter the {period_year} Plan; keep earlier rows, they are history).",
   "信息表年度为 {value}，报告期为 {period}：计划表是 {value} 年的目标。请把工作簿转入 {period_year} 年"
   "（修改年度并填写 {period_year} 年计划；以前的记录保留，作为历史）。"))
_("date-after-period", "warning", ("Date after the reporting period", "日期晚于报告期"),
  ("{sheet}!{cell}: {value} is after the reporting period {period}.",
   "{sheet}!{cell}：{value}晚于报告期{period}。"))

# --- context --------------------------------------------------------------------------------
_("standards-missing", "warning", ("No standards workbook", "缺少标准工作簿"),
  ("No standards workbook was given: the Roster, expense policy, holiday and balance checks were skipped.",
   "未提供标准工作簿：已跳过人员名册、费用标准、节假日和余额相关检查。"))
_("period-missing", "warning", ("No reporting period", "缺少报告期"),
  ("No reporting period (Info sheet or --period): the period checks were skipped.",
   "没有报告期（信息表或 --period）：已跳过与报告期相关的检查。"))

# --- cross-sheet and cross-workbook ---------------------------------------------------------
_("unknown-employee", "error", ("Employee not in the Roster", "工号不在人员名册中"),
  ("{sheet}!{cell}: employee {value!r} is not in the standards Roster{hint}.",
   "{sheet}!{cell}：工号“{value}”不在标准工作簿的人员名册中{hint_zh}。"))
_("unknown-contract", "error", ("Contract not found", "找不到合同"),
  ("{sheet}!{cell}: contract {value!r} is not on the Contracts sheet.",
   "{sheet}!{cell}：合同“{value}”不在合同表中。"))
_("unknown-product-line", "error", ("Product line not in the standards", "产品线不在标准中"),
  ("{sheet}!{cell}: product line {value!r} is not in the standards Product Lines.",
   "{sheet}!{cell}：产品线“{value}”不在标准工作簿的产品线表中。"))
_("unknown-city", "warning", ("City not in the standards", "城市不在标准中"),
  ("{sheet}!{cell}: city {value!r} is not in the standards Cities; its policy limit cannot be checked.",
   "{sheet}!{cell}：城市“{value}”不在标准工作簿的城市表中，无法核对费用标准。"))
_("split-same-employee", "error", ("Split to the owner", "分成给合同负责人本人"),
  ("{sheet}!{cell}: the split employee {value!r} is the contract's own employee.",
   "{sheet}!{cell}：分成工号“{value}”与合同负责人相同。"))
_("split-share-invalid", "error", ("Invalid split share", "分成比例无效"),
  ("{sheet}!{cell}: a split needs both a Split Employee ID and a Split Share strictly between 0% and 100% (got {value}).",
   "{sheet}!{cell}：分成需要同时填写分成工号和介于0%与100%之间（不含）的分成比例（当前为{value}）。"))

# --- plan -----------------------------------------------------------------------------------
_("plan-annual-mismatch", "error", ("Annual differs from the months", "全年与各月之和不符"),
  ("{sheet}!{cell}: Annual {value} differs from the sum of the months {total} by more than {tolerance}.",
   "{sheet}!{cell}：全年{value}与各月之和{total}相差超过{tolerance}。"))
_("plan-indicator-missing", "error", ("Indicator missing from the plan", "计划缺少指标"),
  ("{sheet}!{cell}: salesperson {employee} has no {indicator} target.",
   "{sheet}!{cell}：销售人员{employee}没有“{indicator_zh}”指标。"))
_("plan-duplicate", "error", ("Indicator planned twice", "指标重复"),
  ("{sheet}!{cell}: {employee} already has a {indicator} target in row {first_row}.",
   "{sheet}!{cell}：{employee}的“{indicator_zh}”指标已在第{first_row}行填写。"))

# --- contracts and collections --------------------------------------------------------------
_("delivered-exceeds-amount", "error", ("Delivered over the contract amount", "已履约金额超过合同金额"),
  ("{sheet}!{cell}: Delivered {value} exceeds the contract amount {amount}.",
   "{sheet}!{cell}：已履约金额{value}超过合同金额{amount}。"))
_("collection-exceeds-contract", "error", ("Collections over the contract amount", "回款超过合同金额"),
  ("{sheet}!{cell}: receipts on contract {contract} total {value}, more than its amount {amount}.",
   "{sheet}!{cell}：合同{contract}的回款合计{value}，超过合同金额{amount}。"))
_("receipt-before-signing", "error", ("Receipt before signing", "回款早于签订"),
  ("{sheet}!{cell}: receipt dated {value} is before contract {contract} was signed on {signed}.",
   "{sheet}!{cell}：回款日期{value}早于合同{contract}的签订日期{signed}。"))
_("receipt-after-termination", "warning", ("Receipt on a terminated contract", "已终止合同仍有回款"),
  ("{sheet}!{cell}: contract {contract} is Terminated but receives {value} in or after {period}.",
   "{sheet}!{cell}：合同{contract}已终止，但在{period}或之后仍有回款{value}。"))

# --- expenses -------------------------------------------------------------------------------
_("over-policy-limit", "error", ("Over the expense policy", "超出费用标准"),
  ("{sheet}!{cell}: {value} is over the {category} limit {limit} for grade {grade}, city tier {tier}.",
   "{sheet}!{cell}：{value}超出{category_zh}标准{limit}（职级{grade}，城市级别{tier}）。"))
_("receipt-missing", "warning", ("Receipt missing", "缺少票据"),
  ("{sheet}!{cell}: a claim of {amount} needs a receipt (required over {threshold}).",
   "{sheet}!{cell}：金额{amount}的报销需要票据（超过{threshold}须提供）。"))
_("duplicate-claim", "warning", ("Possible duplicate claim", "疑似重复报销"),
  ("{sheet}!{cell}: same employee, date, category and amount as the claim in row {first_row}.",
   "{sheet}!{cell}：与第{first_row}行的员工、日期、类别和金额均相同。"))
_("weekend-expense", "warning", ("Weekend expense", "周末费用"),
  ("{sheet}!{cell}: the expense is dated {value}, a weekend.", "{sheet}!{cell}：费用日期{value}为周末。"))
_("holiday-expense", "warning", ("Holiday expense", "节假日费用"),
  ("{sheet}!{cell}: the expense is dated {value}, an official holiday.",
   "{sheet}!{cell}：费用日期{value}为法定节假日。"))

# --- advances -------------------------------------------------------------------------------
_("advance-over-limit", "error", ("Advances over the limit", "借款超过上限"),
  ("{sheet}!{cell}: employee {employee} has {value} outstanding, over the limit {limit}.",
   "{sheet}!{cell}：员工{employee}未还借款{value}，超过上限{limit}。"))
_("advance-overdue", "warning", ("Advance overdue", "借款逾期未还"),
  ("{sheet}!{cell}: the advance was due on {value} and {outstanding} is still outstanding.",
   "{sheet}!{cell}：借款应于{value}归还，仍有{outstanding}未还。"))
_("repaid-exceeds-advance", "error", ("Repaid more than advanced", "已还金额超过借款"),
  ("{sheet}!{cell}: Repaid {value} is more than the advance {amount}.",
   "{sheet}!{cell}：已还金额{value}超过借款金额{amount}。"))

# --- leave ----------------------------------------------------------------------------------
_("leave-end-before-start", "error", ("Leave ends before it starts", "休假结束早于开始"),
  ("{sheet}!{cell}: End {value} is before Start {start}.", "{sheet}!{cell}：结束日期{value}早于开始日期{start}。"))
_("leave-days-mismatch", "error", ("Leave days differ from working days", "休假天数与工作日不符"),
  ("{sheet}!{cell}: Days is {value} but {start}..{end} has {workdays} working days.",
   "{sheet}!{cell}：天数为{value}，但{start}至{end}共有{workdays}个工作日。"))
_("leave-over-balance", "error", ("Annual leave over the balance", "年假超过余额"),
  ("{sheet}!{cell}: {value} days of annual leave exceed the balance {remaining} left of {balance} for {employee}.",
   "{sheet}!{cell}：{employee}的年假{value}天超过剩余额度{remaining}天（全年{balance}天）。"))
_("leave-overlap", "error", ("Overlapping leave", "休假时间重叠"),
  ("{sheet}!{cell}: this request overlaps the request in row {other_row} for {employee}.",
   "{sheet}!{cell}：该申请与{employee}第{other_row}行的申请时间重叠。"))

# --- forecast -------------------------------------------------------------------------------
_("forecast-not-future", "warning", ("Forecast month not after the period", "预测月份不晚于报告期"),
  ("{sheet}!{cell}: forecast month {value} is not after the reporting period {period}.",
   "{sheet}!{cell}：预测月份{value}不晚于报告期{period}。"))
_("forecast-duplicate-month", "warning", ("Forecast month repeated", "预测月份重复"),
  ("{sheet}!{cell}: month {value} is already forecast in row {first_row}.",
   "{sheet}!{cell}：月份{value}已在第{first_row}行预测。"))

# --- across files (the ledger loader, consolidation, the month close) ---------------------
_("file-unreadable", "error", ("File cannot be read", "文件无法读取"), ("{detail}", "{detail_zh}"))
_("contract-in-two-departments", "warning", ("Contract in two departments", "合同出现在两个部门"),
  (("{sheet}!{cell}: Contract No {value!r} is also in {department}'s workbook ({other_file}, row "
    "{other_row}); a contract counted in two departments is paid and reported twice."),
   ("{sheet}!{cell}：合同编号“{value}”也出现在{department}的工作簿中（{other_file}，第 {other_row} 行）；"
    "同一合同计入两个部门会重复计提成、重复统计。")))
_("department-not-consolidated", "error", ("Department not consolidated", "部门未能汇总"),
  ("{value} was not consolidated ({status}): {reason}. Its figures are missing from this report.",
   "{value} 未能汇总（{status_zh}）：{reason}。本报告不含其数据。"))

# --- percent columns and departments (issue 14) ----------------------------------------------
_("percent-out-of-range", "error", ("Percentage out of its plausible range", "百分比超出合理范围"),
  ("{sheet}!{cell}: {column} {value} is outside {low}..{high}; correct the value (percent columns hold 3% or 0.03).",
   "{sheet}!{cell}：“{column}”{value}超出{low}至{high}的合理范围；请更正（百分比列填写 3% 或 0.03）。"))
_("weights-not-100", "error", ("Weights do not add up to 100%", "权重合计不等于100%"),
  ("{sheet}!{cell}: the {column} values add up to {value}, not 100%; correct them so they do.",
   "{sheet}!{cell}：“{column}”合计为{value}，不等于100%；请调整使其合计为100%。"))
_("department-near-miss", "warning", ("Department named differently from the Roster", "部门名称与人员名册不一致"),
  ("{sheet}!{cell}: department {value!r} is read as the Roster's {closest!r}; write {closest!r} to silence this.",
   "{sheet}!{cell}：部门“{value}”按人员名册中的“{closest}”处理；改写为“{closest}”即可消除此提示。"))
_("unknown-department", "error", ("Department not in the Roster", "部门不在人员名册中"),
  ("{sheet}!{cell}: department {value!r} is not a Roster department{hint}: its people would not be computed. "
   "Write the Roster's name, or give this name in the Roster's 'Department (other language)' column.",
   "{sheet}!{cell}：部门“{value}”不在人员名册的部门中{hint_zh}，其人员将无法计算。请填写人员名册中的部门名称，"
   "或在人员名册的“部门(另一语言)”列中登记该名称。"))

# --- keys (issue 22): one normaliser for validation and every join (toolkit.core.keys) -----------
_("department-other-name", "info", ("Department named in the other language", "部门使用另一语言的名称"),
  ("{sheet}!{cell}: department {value!r} is read as the Roster's {closest!r} (its other-language name).",
   "{sheet}!{cell}：部门“{value}”按人员名册中的“{closest}”读取（其另一语言名称）。"))
_("key-normalized", "info", ("Key read as its listed spelling", "编号/名称按登记写法读取"),
  ("{sheet}!{cell}{more}: {value!r} was read as {read_as!r}, {what} (compared ignoring case, width, spaces "
   "and a trailing .0).",
   "{sheet}!{cell}{more_zh}：“{value}”按{what_zh}“{read_as}”读取（比较时忽略大小写、全半角、空格和末尾的 .0）。"))
_("unknown-plan", "error", ("Royalty plan not found", "找不到提成方案"),
  ("{sheet}!{cell}: royalty plan {value!r} is not on the Royalty Plans sheet; its people would get no royalty.",
   "{sheet}!{cell}：提成方案“{value}”不在提成方案表中，相关人员将无法计提成。"))

# --- opportunities (the pipeline, toolkit.core.analysis) ---------------------------------------
_("opportunity-won-unlinked", "warning", ("Won opportunity without its contract", "赢单商机未关联合同"),
  ("{sheet}!{cell}: a Won opportunity names contract {value!r}, which is not on the Contracts sheet; write the "
   "contract's number so the pipeline links to it.",
   "{sheet}!{cell}：赢单商机的合同编号“{value}”不在合同表中；请填写对应合同的编号，以便关联。"))
_("opportunity-lost-no-reason", "warning", ("Lost opportunity without a reason", "丢单商机未填原因"),
  ("{sheet}!{cell}: a Lost opportunity has no Lost Reason.", "{sheet}!{cell}：丢单商机未填写丢单原因。"))

# --- the payout ledger (the month close and the report) ----------------------------------------
_("ledger-note", "warning", ("Payout ledger", "支付台账"), ("{text}", "{text_zh}"))
_("ledger-info", "info", ("Payout ledger", "支付台账"), ("{text}", "{text_zh}"))
_("restated-closed-month", "warning", ("Closed month restated", "已结账月份数据被重述"),
  ("{value} was closed with {indicator} {before}; the current data gives {after} ({change}). The report's "
         "month-on-month, year-on-year and trend figures show {value} as it was closed.",
         "{value} 结账时{indicator_zh}为 {before}；按当前数据为 {after}（{change}）。本报告的环比、同比和趋势数据采用结账时的数字。"))

# --- the standards' Adjustments (issue 25) ---------------------------------------------------------
_("adjustment-approver-unknown", "error", ("Approver not in the Roster", "批准人不在人员名册中"),
  ("{sheet}!{cell}: the approver {value!r} is not on the Roster.", "{sheet}!{cell}：批准人“{value}”不在人员名册中。"))
_("adjustment-self-approved", "error", ("Adjustment approved by its employee", "调整由本人批准"),
  ("{sheet}!{cell}: {value!r} approves their own adjustment; someone else must approve it.",
   "{sheet}!{cell}：“{value}”批准了自己的调整；须由他人批准。"))
_("adjustment-period-closed", "error", ("Adjustment in a closed period", "调整所属期间已结账"),
  ("{sheet}!{cell}: {value} is already closed and approved (or a later month is closed); an adjustment there "
   "would never be paid. Put it in the next open period.",
   "{sheet}!{cell}：{value} 已结账并批准（或更晚的月份已结账）；该调整将无法支付。请改填下一个未结账期间。"))

#: The codes this package raises (the reader's are in toolkit.core.findings).
CODES = (
    "required-missing", "enum-invalid", "out-of-range", "duplicate-key", "date-out-of-period", "date-after-period",
    "standards-missing", "period-missing", "unknown-employee", "unknown-contract", "unknown-product-line",
    "unknown-city", "split-same-employee", "split-share-invalid", "plan-annual-mismatch", "plan-indicator-missing",
    "plan-duplicate", "delivered-exceeds-amount", "collection-exceeds-contract", "receipt-before-signing",
    "receipt-after-termination", "over-policy-limit", "receipt-missing", "duplicate-claim", "weekend-expense",
    "holiday-expense", "advance-over-limit", "advance-overdue", "repaid-exceeds-advance", "leave-end-before-start",
    "leave-days-mismatch", "leave-over-balance", "leave-overlap", "forecast-not-future", "forecast-duplicate-month",
    "percent-out-of-range", "weights-not-100", "department-near-miss", "unknown-department",
    "plan-year-mismatch", "department-other-name", "key-normalized", "unknown-plan",
    "adjustment-approver-unknown", "adjustment-self-approved", "adjustment-period-closed",
    "opportunity-won-unlinked", "opportunity-lost-no-reason",
)

# --- closed periods (the payout ledger, toolkit.core.payouts) ---------------------------------
_("backdated-into-closed-period", "warning", ("Row dated in a closed period", "记录日期落在已结账期间"),
        ("{sheet}!{cell}: {what} {value} dated {date} falls in {month}, which was closed on {closed_at} "
         "without it; the difference is paid at the next close as an itemised adjustment.",
         "{sheet}!{cell}：{what_zh}“{value}”的日期 {date} 属于已于 {closed_at} 结账的 {month}，结账时没有这条记录；"
         "差额将在下次结账时作为逐项调整支付。"))
_("removed-from-closed-period", "warning", ("Row of a closed period removed", "已结账期间的记录被删除"),
        ("{sheet}: {what} {value} dated {date} in {month}, closed on {closed_at}, is no longer in the workbook; "
         "what it earned is clawed back at the next close as an itemised adjustment.",
         "{sheet}：{what_zh}“{value}”（日期 {date}，属于已于 {closed_at} 结账的 {month}）已不在工作簿中；"
         "其对应金额将在下次结账时作为逐项调整追回。"))
_("department-back-in-closes", "warning", ("Department back after closes without it", "部门在缺席若干次结账后重新汇总"),
        ("{department} was not consolidated in the closes of {months}: its {rows} row(s) dated in those months "
         "are paid at the next close (for its people not computed then, as their payment catches up).",
         "{department} 未参加 {months} 的结账：其在这些月份的 {rows} 条记录将在下次结账时支付（当时未计算的员工的支付会补齐）。"))
_("period-already-closed", "warning", ("Period already closed", "期间已结账"),
        ("{period} is closed (version {version}, {closed_at}): this consolidation is stored, but what {period} "
         "paid and reported stays as closed until it is closed again with --reopen; otherwise the differences "
         "are paid at the next close as itemised adjustments.",
         "{period} 已结账（第 {version} 版，{closed_at}）：本次合并已保存，但 {period} 已支付和已报告的内容保持结账时的状态，"
         "除非用 --reopen 重新结账；否则差额在下次结账时作为逐项调整支付。"))
