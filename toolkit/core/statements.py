"""One employee's statement as data: the payout, the royalty computed step by step, the floating pay.

Pure: it takes the month's results (``RoyaltyResult``, completion rows, ``AppraisalResult``) and the
payout figures (``Payout``, from the payout ledger or recomputed) and lays out lines that add up to the
cent (docs/statements.md):

- **tiers**: T(B) — each Marginal band's slice × rate, or B × the Retroactive tier's rate; a rounding
  line when the rounded bands miss round(T) by a cent;
- **weighting**: one line per product line, baseᵢ × factorᵢ × T(B)/B (rounded); then the cap
  (cap − Σ lines when capped) and the rounding to the YTD royalty: these lines add up to the YTD royalty;
- **payout**: YTD earned − paid to date = this payment, of which the itemised adjustments.
- **segments** (DOMAIN.md, "Royalty across a change"): when a person's plan or its terms changed during the
  year, the tiers and the weighting are laid out per segment (its own B, Y, c, gate and T(B); its lines
  baseᵢ × factorᵢ × T/B of the segment), then one cap and one rounding for the year.

Nothing is read from files here; ``toolkit.operations.statements`` gathers the inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..money import round_float, round_money

#: Royalty/salary line status that means "not computed" (issue 12's payout ledger sets it on the lines of
#: departments that were not consolidated): the statement says so and shows no payment.
NOT_COMPUTED = "not-computed"


def cents(x: Any) -> int:
    """Money as integer cents, rounded half away from zero (blank: 0)."""
    if x is None or (not isinstance(x, str) and pd.isna(x)):
        return 0
    r = round_money(float(x))
    return 0 if r is None else int(r.scaleb(2))


class StatementProblem(ValueError):
    """A statement whose figures do not add up; ``keys`` name the problems (``statement.problem.*``)."""

    def __init__(self, keys: Sequence[str]) -> None:
        super().__init__(", ".join(keys))
        self.keys = list(keys)


@dataclass
class Adjustment:
    """An itemised change to a closed month: what changed (rows), the month it belongs to, its effect."""

    description: str | dict[str, str]  # one text, or one per language ({"en": …, "zh": …})
    amount: float
    rows: list[str] = field(default_factory=list)
    period: str | None = None
    #: The row behind it, before and after (issue 24): the amount as the closed month computed it (None: the row
    #: was added since) and as it stands now (None: removed), and where the row is (e.g. "dept-east.xlsx,
    #: Collections row 12").
    before: float | None = None
    after: float | None = None
    where: dict[str, str] | None = None

    def description_in(self, lang: str) -> str:
        """The description in ``lang`` (the English one when it has no such language)."""
        if isinstance(self.description, dict):
            return self.description.get(lang) or self.description.get("en", "")
        return self.description


@dataclass
class Payout:
    """The payout figures of one employee for the period — the one input the payout ledger gives.

    ``this_payment`` must equal ``ytd_earned − paid_to_date`` to the cent, and ``ytd_earned`` the YTD
    royalty the statement computes; ``adjustments`` explain part of ``this_payment`` (the rest is what was
    earned this month). ``recorded`` is False when there is no ledger yet (paid to date recomputed).
    """

    employee_id: str
    ytd_earned: float
    paid_to_date: float
    this_payment: float
    adjustments: list[Adjustment] = field(default_factory=list)
    note: str | dict[str, str] | None = None  # one text, or one per language ({"en": …, "zh": …})
    recorded: bool = True
    #: A prior-year adjustment paid with this payment in January (last year's closed months changed); it is
    #: outside this year's YTD arithmetic and added to the total payable.
    prior_year: float = 0.0
    #: Issue 24: the months before the year's first recorded close taken as paid at their recomputed figure
    #: (the ledger's ``opening`` entry): that amount and the last month it covers; None without an opening.
    opening: float | None = None
    opening_through: str | None = None

    def note_in(self, lang: str) -> str | None:
        """The note in ``lang`` (the English one when it has no such language)."""
        if isinstance(self.note, dict):
            return self.note.get(lang) or self.note.get("en")
        return self.note

    def problems(self, ytd_royalty: float) -> list[str]:
        """Why these figures cannot be printed (keys of ``statement.problem.*``), none when they add up."""
        out = []
        if cents(self.this_payment) != cents(self.ytd_earned) - cents(self.paid_to_date):
            out.append("payment")
        if cents(self.ytd_earned) != cents(ytd_royalty):
            out.append("earned")
        return out

    @property
    def earned_this_month(self) -> float:
        """This payment less the adjustments: what the month itself earned."""
        return (cents(self.this_payment) - sum(cents(a.amount) for a in self.adjustments)) / 100


def recomputed_payouts(royalty_lines: pd.DataFrame) -> dict[str, Payout]:
    """Payouts without a payout ledger: paid to date = the previous month's YTD royalty as recomputed."""
    return {str(r["employee_id"]): Payout(str(r["employee_id"]), float(r["ytd_royalty"]),
                                          float(r["previous_ytd_royalty"]), float(r["payment"]), [], None, False)
            for r in royalty_lines.to_dict("records")}


@dataclass
class Step:
    """One line of the royalty computation: ``kind`` (band, tier, tier-rounding, line, cap, rounding),
    the figures it multiplies and its ``amount`` (rounded to cents)."""

    kind: str
    amount: float
    base: float | None = None
    rate: float | None = None
    factor: float | None = None
    lo: float | None = None
    hi: float | None = None
    product_line: str | None = None
    applied: bool = True
    #: The segment the step belongs to (0, 1 … ; DOMAIN.md, "Royalty across a change").
    segment: int = 0


@dataclass
class Statement:
    """Everything one employee's statement shows (see the module docstring)."""

    employee_id: str
    name: str | None
    department: str | None
    role: str | None
    period: str
    lang: str
    status: str = "ok"
    royalty: dict[str, Any] | None = None
    tiers: list[Step] = field(default_factory=list)
    weighting: list[Step] = field(default_factory=list)
    payout: Payout | None = None
    contributions: pd.DataFrame = field(default_factory=pd.DataFrame)
    completion: pd.DataFrame = field(default_factory=pd.DataFrame)
    salary: dict[str, Any] | None = None
    terms: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Manual adjustments of the period (issue 25): dicts with kind, amount (signed), reason, approved_by; paid
    #: beside the royalty, never part of it.
    manual: list[dict[str, Any]] = field(default_factory=list)
    #: The employee's draw balance after this close (Σ draws − Σ recoveries), None when they never drew.
    draw_balance: float | None = None
    #: The close is not approved (or there is none): every page says DRAFT.
    draft: bool = False
    #: The department whose completion ``completion`` shows (someone appraised on their department's figures),
    #: None for the person's own.
    completion_scope: str | None = None
    #: Issue 24: last month's royalty line as computed now (``ytd_base``, ``ytd_target``, ``completion``,
    #: ``ytd_royalty`` …, with ``t_of_b``), shown beside this month's; None in January or without a royalty.
    previous: dict[str, Any] | None = None
    #: Issue 24: floating pay of earlier months paid with this close (each ``period`` and ``amount``: a month
    #: whose close did not compute the person, caught up now); part of the total payable.
    caught_up: list[dict[str, Any]] = field(default_factory=list)
    #: The royalty's segments when more than one (``RoyaltyResult.segments`` rows: seg, seg_from, seg_to, plan,
    #: basis, method, gate, ytd_base, ytd_target, completion, reason); empty for a year under one plan.
    segments: list[dict[str, Any]] = field(default_factory=list)
    #: The Roster Leave Date (YYYY-MM-DD) when it falls in or before the statement's month: the statement of the
    #: leave month is the person's final one (docs/people.md); None for someone still employed.
    leave_date: str | None = None
    #: The Thresholds option ``Pay Leavers On Later Receipts`` is 1: receipts after the leave date still earn.
    pays_later: bool = False

    @property
    def final(self) -> bool:
        """The person left in (or before) this statement's month: a final statement."""
        return self.leave_date is not None

    @property
    def manual_total(self) -> float:
        """Σ of the manual adjustments paid with this statement."""
        return sum(cents(m["amount"]) for m in self.manual) / 100

    @property
    def caught_up_total(self) -> float:
        """Σ of the floating pay of earlier months caught up with this statement."""
        return sum(cents(c["amount"]) for c in self.caught_up) / 100

    @property
    def t_of_b(self) -> float:
        """T(B) as shown: the tier lines' sum."""
        return sum(cents(s.amount) for s in self.tiers) / 100

    @property
    def ytd_royalty(self) -> float | None:
        """The YTD royalty as the weighting lines add up (None when no royalty is computed)."""
        return None if self.royalty is None else sum(cents(s.amount) for s in self.weighting) / 100

    @property
    def floating_pay(self) -> float | None:
        if self.salary is None or self.salary.get("status") == NOT_COMPUTED:
            return None
        return float(self.salary["pay"])

    @property
    def total_payable(self) -> float | None:
        """This royalty payment plus the floating pay (None when neither is computed)."""
        parts = [p for p in (self.payout.this_payment if self.payout else None,
                             self.payout.prior_year if self.payout and self.payout.prior_year else None,
                             self.floating_pay, self.manual_total if self.manual else None,
                             self.caught_up_total if self.caught_up else None) if p is not None]
        return sum(cents(p) for p in parts) / 100 if parts else None


def _segment_parts(line: dict[str, Any], bands: pd.DataFrame, contributions: pd.DataFrame,
                   segments: list[dict[str, Any]]) -> list[tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]]:
    """(segment line, its bands, its contributions) per segment; the whole line when under one plan."""
    if len(segments) <= 1:
        return [(line, bands, contributions)]
    out = []
    for s in segments:
        b = bands[bands["seg"] == s["seg"]] if "seg" in bands.columns else bands.iloc[0:0]
        c = contributions[contributions["seg"] == s["seg"]] if "seg" in contributions.columns else contributions.iloc[0:0]
        out.append(({**line, **s}, b, c))
    return out


def tier_steps(line: dict[str, Any], bands: pd.DataFrame, segments: list[dict[str, Any]] | None = None) -> list[Step]:
    """T(B) as lines: every band/tier of the plan (amount 0 where not applied), a rounding line if needed;
    per segment when the plan or its terms changed during the year."""
    if segments and len(segments) > 1:
        return [s for part, b, _ in _segment_parts(line, bands, bands.iloc[0:0], segments)
                for s in _tier_steps(part, b, int(part["seg"]))]
    return _tier_steps(line, bands, 0)


def _tier_steps(line: dict[str, Any], bands: pd.DataFrame, segment: int) -> list[Step]:
    eligible = line["reason"] in ("ok", "capped", "no-tier")
    steps = []
    exact = 0.0
    for b in bands.to_dict("records"):
        applied = bool(b["applied"]) and eligible
        amount = float(b["band_amount"]) if applied else 0.0
        exact += amount
        steps.append(Step("band" if line["method"] == "Marginal" else "tier", round_float(amount),
                          base=float(b["band_base"]) if applied else 0.0, rate=float(b["rate"]),
                          lo=float(b["from_pct"]), hi=None if pd.isna(b["to_pct"]) else float(b["to_pct"]),
                          applied=applied, segment=segment))
    gap = cents(exact) - sum(cents(s.amount) for s in steps)
    if gap:
        steps.append(Step("tier-rounding", gap / 100, segment=segment))
    return steps


def weighting_steps(line: dict[str, Any], contributions: pd.DataFrame, t_whole: float,
                    bands: pd.DataFrame | None = None, segments: list[dict[str, Any]] | None = None) -> list[Step]:
    """From T(B) to the YTD royalty: baseᵢ × factorᵢ × T(B)/B per product line (per segment, with the
    segment's own T/B, when the plan or its terms changed), the cap, the rounding."""
    steps: list[Step] = []
    if segments and len(segments) > 1 and bands is not None:
        for part, b, c in _segment_parts(line, bands, contributions, segments):
            steps += _line_steps(part, c, t_exact(part, b), int(part["seg"]))
    else:
        steps = _line_steps(line, contributions, t_whole, 0)
    shown = sum(cents(s.amount) for s in steps)
    final = cents(line["ytd_royalty"])
    if line["reason"] == "capped":
        cap = cents(line["annual_cap"])
        steps.append(Step("cap", (cap - shown) / 100, base=float(line["annual_cap"])))
        shown = cap
    if final != shown:
        steps.append(Step("rounding", (final - shown) / 100))
    return steps


def _line_steps(line: dict[str, Any], contributions: pd.DataFrame, t_exact: float, segment: int) -> list[Step]:
    """baseᵢ × factorᵢ × T/B per product line of one segment."""
    B = float(line["ytd_base"])
    ratio = t_exact / B if B > 0 else 0.0
    steps = []
    if len(contributions):
        c = contributions.assign(product_line=contributions["product_line"].astype(object)
                                 .where(contributions["product_line"].notna(), ""))
        per_line = c.groupby(["product_line", "factor"], sort=True, dropna=False)["credited"].sum()
        for (pl, factor), base in per_line.items():
            steps.append(Step("line", round_float(base * factor * ratio), base=float(base), factor=float(factor),
                              rate=ratio, product_line=pl or None, segment=segment))
    return steps


def t_exact(line: dict[str, Any], bands: pd.DataFrame) -> float:
    """T(B) unrounded, as the royalty computation applied it (0 when not eligible)."""
    if line["reason"] not in ("ok", "capped", "no-tier"):
        return 0.0
    return float(bands.loc[bands["applied"].astype(bool), "band_amount"].sum())


def build_statement(employee_id: str, period: str, lang: str, *, person: dict[str, Any],
                    royalty: dict[str, Any] | None, bands: pd.DataFrame, contributions: pd.DataFrame,
                    payout: Payout | None, completion: pd.DataFrame, salary: dict[str, Any] | None,
                    terms: pd.DataFrame, segments: list[dict[str, Any]] | None = None) -> Statement:
    """Lay out one employee's statement; ``StatementProblem`` when the payout figures disagree."""
    st = Statement(employee_id, person.get("name"), person.get("department"), person.get("role"), period, lang,
                   completion=completion, salary=salary, terms=terms, contributions=contributions)
    statuses = {x.get("status") for x in (royalty, salary) if x is not None}
    if NOT_COMPUTED in statuses:
        st.status = NOT_COMPUTED
        return st
    if royalty is not None:
        st.royalty = royalty
        st.segments = list(segments) if segments and len(segments) > 1 else []
        st.tiers = tier_steps(royalty, bands, st.segments)
        st.weighting = weighting_steps(royalty, contributions, t_exact(royalty, bands), bands, st.segments)
        if payout is not None:
            problems = payout.problems(royalty["ytd_royalty"])
            if problems:
                raise StatementProblem(problems)
        st.payout = payout
    return st


def check_statement(st: Statement) -> list[str]:
    """Self-check before printing: the lines add up to the YTD royalty and the payout (problem keys)."""
    out = []
    if st.royalty is not None and cents(st.ytd_royalty) != cents(st.royalty["ytd_royalty"]):
        out.append("lines")
    if st.payout is not None:
        out += st.payout.problems(st.royalty["ytd_royalty"] if st.royalty is not None else st.payout.ytd_earned)
    return out


def statement_ids(royalty_lines: pd.DataFrame, salary_lines: pd.DataFrame,
                  wanted: Sequence[str] | None = None) -> list[str]:
    """Who gets a statement: everyone with a royalty line or a floating-salary line (or just ``wanted``)."""
    ids = list(dict.fromkeys([*royalty_lines["employee_id"].astype(str), *salary_lines["employee_id"].astype(str)]))
    return ids if not wanted else [e for e in ids if e in set(wanted)]
