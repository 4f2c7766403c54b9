"""Royalties with a traceable statement per employee (DOMAIN.md, "Computation", Royalties).

For period p (a month) and each employee with a royalty plan:

- B = YTD base: Σ credited receipts (basis Collected) or Σ credited signed amounts (basis Signed),
  split shares applied (``toolkit.core.credits``); Y = YTD target of the basis indicator (Plan
  months Jan..p); c = B / Y.
- T(B): *Marginal* Σₖ rateₖ × max(0, min(B, Toₖ·Y) − Fromₖ·Y); *Retroactive* B × rate of the tier
  with Fromₖ ≤ c < Toₖ (blank To is unbounded). T = 0 below the gate, with no target (warning) or
  with B ≤ 0.
- R = min(Annual Cap, Σᵢ baseᵢ × factorᵢ × T(B)/B) (product-line factors; blank cap: no cap).
- payment(p) = round(R_p) − round(R_{p−1}), R_{p−1} computed the same way on the data dated up to
  the end of p−1 (R_0 = 0 in January), so payments Jan..p add up to round(R_p) exactly. A negative
  payment is a clawback and is flagged as such.

Everything is pure and vectorised: tiers are evaluated as array operations over
(employee × tier) rows. Findings that make a number unreliable are returned with the result.
Completion is compared with gates and tier bounds at 9 decimals, so 80000 / 100000 meets an 80 %
gate whatever the binary representation of the operands.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..money import fmt_money, fmt_money_column, round_series
from ..schema import DEPARTMENT, MONTH_KEYS, STANDARDS
from ..schema import enums as E
from .coverage import COMPUTED, NOT_COMPUTED, NOT_CONSOLIDATED, coverage_status, ledger_departments
from .credits import collection_credits, contract_credits
from .periods import year_month
from .findings import Finding
from .ledger import per_inputs, per_ledger
from .people import PAY_LEAVERS_LATER, column_by_month, employed_plan, leave_dates, roster_at
from . import versions as V

if TYPE_CHECKING:  # plain data; importing it at run time would pull in the readers
    from .ledger import Ledger

# --- vocabulary -------------------------------------------------------------------------------

#: Each basis and the Plan indicator its target comes from.
BASIS_INDICATOR = {"Collected": "Collection", "Signed": "Signing"}
MARGINAL, RETROACTIVE = "Marginal", "Retroactive"
assert set(BASIS_INDICATOR) == set(E.BASIS.values)
assert set(BASIS_INDICATOR.values()) <= set(E.INDICATOR.values)
assert {MARGINAL, RETROACTIVE} == set(E.METHOD.values)

#: Decimals at which completion is compared with gates and tier bounds.
COMPLETION_DECIMALS = 9

_CONTRACTS = DEPARTMENT.table("Contracts")
_COLLECTIONS = DEPARTMENT.table("Collections")
_ROSTER = STANDARDS.table("Roster")
_PLANS = STANDARDS.table("RoyaltyPlans")
_TIERS = STANDARDS.table("RoyaltyTiers")


# --- small helpers ----------------------------------------------------------------------------


#: Up to this many values ``_text`` finds blanks on NumPy's object values: pandas' string comparison costs ≈ 0.1–0.3 ms
#: a call whatever the length (most of a small ledger's ``_text``, called ≈ 35 times per royalty computation); on
#: longer Arrow columns pandas' own comparison is the cheaper one.
_SMALL_TEXT = 2048


def _text(s: pd.Series) -> pd.Series:
    """Text keys as strings, blanks as missing (the reader has already stripped them)."""
    out = s.astype("str")
    blank = _blanks(out, len(out) <= _SMALL_TEXT)
    return out.mask(blank) if blank.any() else out  # mask copies the column: only when there is a blank


def _blanks(text: pd.Series, small: bool) -> np.ndarray:
    """Which values of a "str" column are "" (missing: False): on the object values when ``small``, else by pandas'
    comparison (the same answer; tests/test_royalties.py compares both)."""
    if small:
        return np.asarray(text.to_numpy(dtype=object) == "", dtype=bool)
    return (text == "").to_numpy(dtype=bool, na_value=False)


def _num(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce").astype("float64")


def cents(s: pd.Series) -> np.ndarray:
    """Money rounded as Excel does, as integer cents (exact arithmetic for true-ups)."""
    return np.rint(round_series(s.fillna(0.0)).to_numpy() * 100).astype("int64")


def _col(frame: pd.DataFrame, key: str) -> pd.Series:
    return frame[key] if key in frame.columns else pd.Series(pd.NA, index=frame.index, dtype="object")


def _where(frame: pd.DataFrame, row: pd.Series) -> dict[str, Any]:
    """Finding location fields from a frame row (``_row`` and, in a stacked ledger, ``source``)."""
    r = row.get("_row")
    src = row.get("source")
    return {
        "row": None if r is None or pd.isna(r) else int(r),
        "file": None if src is None or pd.isna(src) else str(src),
    }


# --- the result -------------------------------------------------------------------------------

#: Money columns of ``RoyaltyResult.lines`` (the JSON gives them as "1234.50").
LINE_MONEY = ("ytd_base", "ytd_target", "ytd_royalty_uncapped", "ytd_royalty", "previous_ytd_royalty", "payment")
#: Keys of ``totals`` that are sums of the line columns of the same name.
TOTAL_MONEY = LINE_MONEY[:1] + LINE_MONEY[2:]
#: Line columns a month close adds from the payout ledger (summed in ``totals`` when present).
LEDGER_MONEY = ("paid_to_date", "regular_payment", "adjustment", "prior_year_adjustment", "total_payment")


@dataclass
class RoyaltyResult:
    """Royalties for one period: one line per employee with a plan, the trace behind each, findings.

    ``lines``: employee_id, name, department, plan, basis, method, gate, annual_cap, ytd_base,
    weighted_base, ytd_target, completion, tier_rate, effective_factor, ytd_royalty_uncapped (unrounded),
    ytd_royalty / previous_ytd_royalty / payment (rounded to cents), clawback (bool), reason.
    ``contributions``: every credited receipt or contract in the YTD base. ``bands``: each tier of
    each employee's plan with the base and amount it produced.
    """

    period: str
    lines: pd.DataFrame
    contributions: pd.DataFrame
    bands: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)
    #: Set by a month close (``toolkit.outputs.royalties.attach_ledger``): the itemised adjustments paid now.
    adjustments: pd.DataFrame | None = None
    #: One row per employee and segment (DOMAIN.md, "Royalty across a change"): seg, seg_from, seg_to, plan,
    #: basis, method, gate, ytd_base, weighted_base, ytd_target, completion, tier_rate, segment_royalty, reason.
    segments: pd.DataFrame | None = None

    def totals(self) -> dict[str, Any]:
        """Sums of the lines (money as Decimal, summed in cents), employee and clawback counts."""
        status = self.lines["status"] if "status" in self.lines.columns else pd.Series(COMPUTED, self.lines.index)
        lines = self.lines[status == COMPUTED]
        out: dict[str, Any] = {"employees": int(len(lines))}
        for key in TOTAL_MONEY + tuple(c for c in LEDGER_MONEY if c in lines.columns):
            out[key] = Decimal(int(cents(lines[key]).sum())) / 100
        out["clawbacks"] = int(lines["clawback"].sum())
        out["clawback_amount"] = -Decimal(int(cents(lines["payment"].where(lines["clawback"], 0.0)).sum())) / 100
        out["not_computed"] = int((status == NOT_COMPUTED).sum())
        return out

    def trace(self, employee_id: str) -> list[dict[str, Any]]:
        """The JSON trace of one employee: contributing rows, gate, tiers/bands, cap (see docs/royalties.md)."""
        return self._traces([employee_id])[employee_id]

    def _traces(self, employees: list[str]) -> dict[str, list[dict[str, Any]]]:
        """Traces of several employees at once (columns formatted vectorised, rows grouped in one pass)."""
        wanted = set(employees)
        c = self.contributions[self.contributions["employee_id"].isin(wanted)]
        rows: dict[str, list[dict[str, Any]]] = {e: [] for e in employees}
        contrib = pd.DataFrame({
            "kind": np.where(c["basis"] == "Collected", "receipt", "contract"),
            "date": c["date"].dt.strftime("%Y-%m-%d").astype(object).where(c["date"].notna(), None),
            "receipt_no": c["receipt_no"].astype(object).where(c["receipt_no"].notna(), None),
            "contract_no": c["contract_no"].astype(object),
            "product_line": c["product_line"].astype(object).where(c["product_line"].notna(), None),
            "amount": fmt_money_column(c["amount"]),
            "share": c["share"].round(10).astype(object),
            "factor": c["factor"].round(10).astype(object),
            "credited": fmt_money_column(c["credited"]),
            "weighted": fmt_money_column(c["weighted"]),
            "in_period": c["in_period"].astype(bool).astype(object),
        })
        for emp, item in zip(c["employee_id"], contrib.to_dict("records")):
            if item["kind"] == "contract":
                del item["receipt_no"]
            rows[emp].append(item)
        picked = self.lines[self.lines["employee_id"].isin(wanted)]
        lines = dict(zip(picked["employee_id"].tolist(),  # one to_dict, not a ``.loc`` row per employee
                         picked[["gate", "completion", "reason", "annual_cap"]].to_dict("records")))
        b = self.bands[self.bands["employee_id"].isin(wanted)]
        bands = pd.DataFrame({
            "kind": np.where(b["method"] == MARGINAL, "band", "tier"),
            "from": b["from_pct"].round(10).astype(object),
            "to": b["to_pct"].round(10).astype(object).where(b["to_pct"].notna(), None),
            "rate": b["rate"].round(10).astype(object),
            "base": fmt_money_column(b["band_base"]),
            "amount": fmt_money_column(b["band_amount"]),
            "applied": b["applied"].astype(bool).astype(object),
        })
        band_items: dict[str, list[dict[str, Any]]] = {e: [] for e in employees}
        split = self._split(wanted)
        seg_col = b["seg"] if "seg" in b.columns else pd.Series(0, index=b.index)
        for emp, seg, item in zip(b["employee_id"], seg_col, bands.to_dict("records")):
            if emp in split:
                item["segment"] = int(seg)
            band_items[emp].append(item)
        for emp in employees:
            line = lines[emp]
            rows[emp].extend(split.get(emp, []))
            rows[emp].append({"kind": "gate", "gate": _num_json(line["gate"]),
                              "completion": _num_json(line["completion"], 6),
                              "passed": bool(line["reason"] not in ("below-gate", "no-target"))})
            rows[emp].extend(band_items[emp])
            rows[emp].append({"kind": "cap", "capped": bool(line["reason"] == "capped"),
                              "cap": fmt_money(line["annual_cap"]) if pd.notna(line["annual_cap"]) else None})
        return rows

    def _split(self, wanted: set[str]) -> dict[str, list[dict[str, Any]]]:
        """``segment`` trace items of the employees whose year is cut in more than one segment."""
        if self.segments is None or not len(self.segments):
            return {}
        s = self.segments[self.segments["employee_id"].isin(wanted)]
        many = s.groupby("employee_id")["seg"].transform("size") > 1
        year, month = int(self.period[:4]), int(self.period[5:7])
        out: dict[str, list[dict[str, Any]]] = {}
        for rec in s[many].sort_values(["employee_id", "seg"]).to_dict("records"):
            out.setdefault(rec["employee_id"], []).append({
                "kind": "segment", "segment": int(rec["seg"]), "from": f"{year:04d}-{int(rec['seg_from']):02d}",
                "to": f"{year:04d}-{min(int(rec['seg_to']), month):02d}", "plan": rec["plan"], "basis": rec["basis"],
                "method": rec["method"], "base": fmt_money(rec["ytd_base"]),
                "target": fmt_money(rec["ytd_target"]) if pd.notna(rec["ytd_target"]) else None,
                "completion": _num_json(rec["completion"], 6), "gate": _num_json(rec["gate"]),
                "royalty": fmt_money(rec["segment_royalty"]), "reason": rec["reason"]})
        return out

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """The stable JSON form (README, "toolkit royalties --format json")."""
        rows = []
        computed = self.lines["status"] == COMPUTED
        traces = self._traces(list(self.lines.loc[computed, "employee_id"]))
        for rec in self.lines.to_dict("records"):
            if rec["status"] == NOT_COMPUTED:
                rows.append({"employee_id": rec["employee_id"], "name": None if pd.isna(rec["name"]) else rec["name"],
                             "department": None if pd.isna(rec["department"]) else rec["department"],
                             "plan": rec["plan"], "basis": rec["basis"], "method": rec["method"],
                             "status": NOT_COMPUTED, "reason": rec["reason"], "ytd_base": None, "ytd_target": None,
                             "completion": None, "tier_rate": None, "ytd_royalty_uncapped": None,
                             "ytd_royalty": None, "previous_ytd_royalty": None, "payment": None, "clawback": False,
                             "trace": []})
                continue
            rows.append({
                "employee_id": rec["employee_id"],
                "name": None if pd.isna(rec["name"]) else rec["name"],
                "department": None if pd.isna(rec["department"]) else rec["department"],
                "plan": rec["plan"],
                "basis": rec["basis"],
                "method": rec["method"],
                "ytd_base": fmt_money(rec["ytd_base"]),
                "ytd_target": fmt_money(rec["ytd_target"]) if pd.notna(rec["ytd_target"]) else None,
                "completion": _num_json(rec["completion"], 6),
                "tier_rate": _num_json(rec["tier_rate"]),
                "ytd_royalty_uncapped": fmt_money(rec["ytd_royalty_uncapped"]),
                "ytd_royalty": fmt_money(rec["ytd_royalty"]),
                "previous_ytd_royalty": fmt_money(rec["previous_ytd_royalty"]),
                "payment": fmt_money(rec["payment"]),
                "clawback": bool(rec["clawback"]),
                "status": COMPUTED,
                "trace": traces[rec["employee_id"]],
            })
        totals = {k: (fmt_money(v) if isinstance(v, Decimal) else v) for k, v in self.totals().items()}
        return {
            "period": self.period,
            "royalties": rows,
            "totals": totals,
            "findings": [f.to_dict(lang) for f in self.findings],
        }




def _num_json(x: Any, digits: int = 10) -> float | None:
    """A ratio for JSON: None when missing, rounded to drop binary noise."""
    if x is None or pd.isna(x):
        return None
    return round(float(x), digits)


# --- evaluations shared by the ledgers of one run ---------------------------------------------


class Evaluations:
    """Month evaluations (``ytd_cents``) and segment runs kept for every ledger of one run, not just one: a
    scripted year's closes, a close's statements and performance files each build a ledger of their own, and
    each would evaluate again the months the others evaluated (the ledger year's ten closes: 82 month evaluations
    without it, 38 with it).

    Owned by the caller (``toolkit.operations.source.Source`` makes one per face's run, or takes the caller's)
    and handed to each ledger it builds (``share_evaluations``): not a module global (DESIGN). Keyed by content
    only, never by identity or time: each entry is found by a digest of its inputs' values (the frames' columns,
    dtypes and 64-bit row hashes) and used only when the inputs held with it are equal to the ones asked
    (``DataFrame.equals``; the contribution rows by their row hashes in order, as the ledger's own memo compares
    them), so no result of other inputs can be returned. Bounded: the ``size`` entries used last are kept (an
    entry is one small frame per month, employee and cents, or a year's segment runs); each caller gets a copy.
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Any, ...], tuple[tuple[Any, ...], Any, Any]] = OrderedDict()
        #: How many results were computed and how many were found (what the tests and the bench read).
        self.computed = 0
        self.found = 0
        #: The digests of the last few frames asked about, by identity: a payment schedule asks about its one
        #: staff, Plan and tiers for each of its months (the frames are held, so their ids are not reused).
        self._digests: list[tuple[pd.DataFrame, bytes | None]] = []

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: tuple[Any, ...], frames: tuple[pd.DataFrame | None, ...], rows: pd.DataFrame | None,
            compute: Callable[[], Any], *, held_frames: bool = False) -> Any:
        """A copy of ``compute()`` for ``key`` (numbers and text) and the values of ``frames`` and ``rows`` (row
        hashes), from an earlier call with equal inputs when this object still holds one. ``held_frames``:
        ``frames`` are the caller's own, never changed once made (a payment schedule's staff, Plan and tiers, asked
        about for each month), so a digest of the very same object made a moment ago is used again."""
        digest_of = self._frame_digest if held_frames else _digest
        try:
            digest = (key, *(digest_of(f) for f in frames), _digest(rows))
        except TypeError:  # a value pandas cannot hash: computed, not kept
            return compute()
        hit = self._items.get(digest)
        if hit is not None and _equal_frames(hit[0], frames) and _equal_frames((hit[1],), (rows,)):
            self._items.move_to_end(digest)
            self.found += 1
            return hit[2].copy()
        value = compute()
        self.computed += 1
        self._items[digest] = (frames, rows, value)
        self._items.move_to_end(digest)
        while len(self._items) > self.size:
            self._items.popitem(last=False)
        return value.copy()

    def _frame_digest(self, frame: pd.DataFrame | None) -> bytes | None:
        """``_digest(frame)``, found by identity when the same frame object was digested a moment ago."""
        for held, digest in self._digests:
            if held is frame:
                return digest
        digest = _digest(frame)
        self._digests = [*self._digests[-7:], (frame, digest)]
        return digest


#: The contribution columns an evaluation reads (``evaluate_segments``, ``_assign``): the rows are compared by these
#: only, so the same rows read from another month's workbook (another ``source``, ``_row``) are the same rows.
EVALUATED_COLUMNS = ("employee_id", "basis", "date", "credited", "weighted")

#: Where a ledger's memo holds the run's ``Evaluations`` (``share_evaluations``).
EVALUATIONS_KEY = ("core.royalties.evaluations", "")


def share_evaluations(ledger: Ledger, evaluations: Evaluations | None) -> Ledger:
    """Let ``ledger``'s royalty evaluations be found in, and kept for, ``evaluations`` (the run's; None: this
    ledger's own memo only). Returns the ledger."""
    if evaluations is not None:
        ledger.memo[EVALUATIONS_KEY] = evaluations
    return ledger


def _shared_evaluation(memo: dict[Any, Any] | None, key: tuple[Any, ...], frames: tuple[pd.DataFrame | None, ...],
                       rows: pd.DataFrame | None, compute: Callable[[], Any], *, held_frames: bool = False) -> Any:
    """``compute()`` through the ``Evaluations`` the ledger's ``memo`` was given, or computed (``held_frames``:
    ``Evaluations.get``'s)."""
    shared = memo.get(EVALUATIONS_KEY) if memo is not None else None
    return compute() if shared is None else shared.get(key, frames, rows, compute, held_frames=held_frames)


def _digest(frame: pd.DataFrame | None) -> bytes | None:
    """A digest of a frame's values: its columns, dtypes and each row's 64-bit hash in order."""
    if frame is None:
        return None
    h = hashlib.blake2b(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode(), digest_size=16)
    h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.digest()


def _equal_frames(held: tuple[pd.DataFrame | None, ...], asked: tuple[pd.DataFrame | None, ...]) -> bool:
    """The frames held with an entry equal the frames asked, in order (values, columns and dtypes)."""
    return all((a is None and b is None) or (a is not None and b is not None and (a is b or a.equals(b)))
               for a, b in zip(held, asked))


# --- the computation --------------------------------------------------------------------------


def staff_plans(roster: pd.DataFrame, plans: pd.DataFrame, tiers: pd.DataFrame, findings: list[Finding]) -> pd.DataFrame:
    """Roster employees with a known plan: employee_id, name, department, plan, basis, method, gate, annual_cap."""
    r = pd.DataFrame({
        "employee_id": _text(roster["employee_id"]),
        "name": _text(_col(roster, "name")),
        "department": _text(_col(roster, "department")),
        "plan": _text(_col(roster, "royalty_plan")),
    })
    r = r[r["employee_id"].notna()].drop_duplicates("employee_id")
    p = pd.DataFrame({
        "plan": _text(plans["plan"]),
        "basis": _text(plans["basis"]),
        "method": _text(plans["method"]),
        "gate": _num(_col(plans, "gate")).fillna(0.0),
        "annual_cap": _num(_col(plans, "annual_cap")),
    })
    p = p[p["plan"].notna() & p["basis"].isin(list(BASIS_INDICATOR)) & p["method"].isin([MARGINAL, RETROACTIVE])]
    p = p.drop_duplicates("plan")
    staff = r[r["plan"].notna()].merge(p, on="plan", how="left")
    bad = staff[staff["basis"].isna()]
    for rec in bad.to_dict("records"):
        findings.append(Finding("royalty-unknown-plan", sheet=_ROSTER.sheet.en, value=rec["plan"],
                                column=_ROSTER.column("royalty_plan").label.en,
                                params={"employee_id": rec["employee_id"]}))
    staff = staff[staff["basis"].notna()].reset_index(drop=True)
    tiered = set(_text(tiers["plan"]).dropna())
    for plan in sorted(set(staff["plan"]) - tiered):
        findings.append(Finding("royalty-no-tiers", sheet=_TIERS.sheet.en, value=plan))
    return staff


def _segment_runs(roster: pd.DataFrame, changes: pd.DataFrame | None, plans: pd.DataFrame, tiers: pd.DataFrame,
                  year: int, memo: dict[Any, Any] | None = None) -> pd.DataFrame:
    """The month-independent part of ``staff_segments``: each employee's runs of months of ``year`` with one plan
    and one version of its terms (plan, pv, tv, seg_from, seg_to, basis, method, gate, annual_cap, terms), computed
    once per ledger for the same input objects (identity; ``memo``: the ledger's, which a close's 24 evaluations
    share — 12 months of royalties, the payment schedule) and copied out."""
    inputs = (roster, changes, plans, tiers)
    return per_inputs(memo, ("core.royalties.segment_runs", year), inputs,
                      lambda: _shared_evaluation(memo, ("segment_runs", year), inputs, None,
                                                 lambda: _compute_segment_runs(roster, changes, plans, tiers, year)))


def _compute_segment_runs(roster: pd.DataFrame, changes: pd.DataFrame | None, plans: pd.DataFrame,
                          tiers: pd.DataFrame, year: int) -> pd.DataFrame:
    """``_segment_runs``, computed: one whole-year run per person when nothing can cut the year (``_whole_year``),
    else by month (``_runs_by_month``)."""
    monthly = column_by_month(roster, changes, year, "royalty_plan")
    plan = monthly["royalty_plan"]
    monthly = pd.DataFrame({"employee_id": _text(monthly["employee_id"]), "plan": _text(plan.where(plan.notna(), "")),
                            "m": monthly["m"].to_numpy()})
    monthly = monthly.drop_duplicates(["employee_id", "m"])
    whole = _whole_year(monthly, changes, plans, tiers)
    runs = _runs_by_month(monthly, plans, tiers, year) if whole is None else whole
    runs = runs[runs["plan"].notna() & runs["pv"].notna()]
    p = pd.DataFrame({"plan": _text(plans["plan"]), "pv": V.valid_ordinals(plans).astype("float64"),
                      "basis": _text(plans["basis"]), "method": _text(plans["method"]),
                      "gate": _num(_col(plans, "gate")).fillna(0.0), "annual_cap": _num(_col(plans, "annual_cap"))})
    p = p[p["plan"].notna() & p["basis"].isin(list(BASIS_INDICATOR)) & p["method"].isin([MARGINAL, RETROACTIVE])]
    p = p.drop_duplicates(["plan", "pv"])
    runs = runs.assign(pv=runs["pv"].astype("float64")).merge(p, on=["plan", "pv"], how="inner")
    runs["terms"] = runs["plan"] + "|" + runs["tv"].astype("Int64").astype("string").fillna("none")
    return runs


def _whole_year(monthly: pd.DataFrame, changes: pd.DataFrame | None, plans: pd.DataFrame,
                tiers: pd.DataFrame) -> pd.DataFrame | None:
    """The runs ``_runs_by_month`` gives when nothing cuts anyone's year — no Roster Change of a Royalty Plan, no
    Valid From on the Royalty Plans or Tiers: one run per person from month 1 to 12, on the blank version of their
    plan and its tiers (missing where the plan or its tiers are unknown) — found without its month-by-month merges
    (what costs in a small ledger's royalties: the property tests, a statement, a CLI run). None otherwise (and for
    no one or no plans or tiers, which the general path handles as ever). tests/test_royalties.py compares both."""
    plan_changes = changes is not None and len(changes) and "royalty_plan" in changes.columns and \
        bool(changes["royalty_plan"].notna().any())
    if plan_changes or V.versioned(plans) or V.versioned(tiers) or not len(plans) or not len(tiers):
        return None
    first = monthly[(monthly["m"] == 1).to_numpy()].sort_values("employee_id", kind="stable")
    if not len(first):
        return None
    plan = first["plan"]
    known = plan.isin(set(_text(plans["plan"]).dropna())).to_numpy(dtype=bool)
    tiered = plan.isin(set(_text(tiers["plan"]).dropna())).to_numpy(dtype=bool)
    # as the merges give them: a version column is int64 with every row found, else float64 with NaN
    pv = np.full(len(first), V.BLANK, dtype="int64") if known.all() else np.where(known, float(V.BLANK), np.nan)
    tv = np.full(len(first), V.BLANK, dtype="int64") if tiered.all() else np.where(tiered, float(V.BLANK), np.nan)
    m = first["m"].to_numpy()
    return pd.DataFrame({"_run": np.arange(1, len(first) + 1, dtype="int64"),
                         "employee_id": first["employee_id"].reset_index(drop=True),
                         "plan": plan.reset_index(drop=True), "pv": pv, "tv": tv,
                         "seg_from": np.ones(len(first), dtype=m.dtype), "seg_to": np.full(len(first), 12, dtype=m.dtype)})


def _runs_by_month(monthly: pd.DataFrame, plans: pd.DataFrame, tiers: pd.DataFrame, year: int) -> pd.DataFrame:
    """Each person's runs of months with one plan and one version of its terms (``_run``, employee_id, plan, pv,
    tv, seg_from, seg_to), from their plan in each month (``monthly``: employee_id, plan, m)."""
    monthly = monthly.copy()
    monthly["month_ord"] = V.ordinal(year, 1) + monthly["m"] - 1
    months = list(range(V.ordinal(year, 1), V.ordinal(year, 12) + 1))
    pv = V.in_force_versions(plans, _text(plans["plan"]), months).rename(columns={"key": "plan", "version": "pv"})
    tv = V.in_force_versions(tiers, _text(tiers["plan"]), months).rename(columns={"key": "plan", "version": "tv"})
    monthly = monthly.merge(pv, on=["plan", "month_ord"], how="left").merge(tv, on=["plan", "month_ord"], how="left")
    monthly = monthly.sort_values(["employee_id", "m"], kind="stable").reset_index(drop=True)
    key = monthly["plan"].fillna("") + "|" + monthly["pv"].astype("string").fillna("") + "|" + \
        monthly["tv"].astype("string").fillna("")
    new = (key != key.shift()) | (monthly["employee_id"] != monthly["employee_id"].shift())
    # a plain bool array: with Arrow strings the comparisons are bool[pyarrow] (missing on the first row), no cumsum
    run = new.fillna(True).to_numpy(dtype=bool).cumsum()
    # each run is a block of consecutive rows (sorted by employee and month, one key within it): its first row gives
    # the employee, plan and versions, its first and last months the segment (a named groupby costs more per call)
    first = np.flatnonzero(np.r_[True, run[1:] != run[:-1]]) if len(run) else np.zeros(0, dtype="int64")
    last = np.r_[first[1:] - 1, len(run) - 1].astype("int64") if len(run) else first
    m = monthly["m"].to_numpy()
    return pd.DataFrame({"_run": run[first], "employee_id": monthly["employee_id"].iloc[first].reset_index(drop=True),
                         "plan": monthly["plan"].iloc[first].reset_index(drop=True),
                         "pv": monthly["pv"].iloc[first].reset_index(drop=True),
                         "tv": monthly["tv"].iloc[first].reset_index(drop=True),
                         "seg_from": m[first], "seg_to": m[last]})


def staff_segments(roster: pd.DataFrame, changes: pd.DataFrame | None, plans: pd.DataFrame, tiers: pd.DataFrame,
                   year: int, month: int, findings: list[Finding], now: pd.DataFrame | None = None,
                   memo: dict[Any, Any] | None = None) -> pd.DataFrame:
    """Each employee's royalty segments of ``year`` (DOMAIN.md, "Royalty across a change"): the months cut
    where their plan (Roster Changes) or its terms (Valid From on Royalty Plans or Tiers) change. One row per
    segment: ``staff_plans``' columns (name and department as the Roster stands in ``month``; basis, method,
    gate and cap of the plan version in force), ``seg`` (0, 1 …), ``seg_from``/``seg_to`` (months) and
    ``terms`` (the tier version's key in ``versioned_tiers``). A Retroactive change counts from January, so it
    cuts no segment. Months without a known plan earn nothing. ``now``: the Roster as it stands in ``month``
    when the caller has it; ``memo``: a ledger's, where the segment runs are kept for its next calls."""
    now = roster_at(roster, changes, year, month) if now is None else now
    ids = _text(now["employee_id"])
    _plan_findings(ids, _text(_col(now, "royalty_plan")), plans, tiers, findings)
    ident = pd.DataFrame({"employee_id": ids, "name": _text(_col(now, "name")),
                          "department": _text(_col(now, "department"))})
    ident = ident[ident["employee_id"].notna()].drop_duplicates("employee_id")
    runs = _segment_runs(roster, changes, plans, tiers, year, memo)
    # each run's person on the Roster as it stands (one row each: a look-up, not a merge), sorted by person and month
    at = pd.Index(ident["employee_id"]).get_indexer(runs["employee_id"])
    found = at[at >= 0]
    runs = runs.iloc[at >= 0]
    runs = runs.assign(name=pd.Series(ident["name"].array.take(found), index=runs.index),  # the column's dtype kept
                       department=pd.Series(ident["department"].array.take(found), index=runs.index))
    runs = runs.sort_values(["employee_id", "seg_from"], kind="stable")
    emp = runs["employee_id"].to_numpy(dtype=object)
    first = np.maximum.accumulate(np.where(np.r_[True, emp[1:] != emp[:-1]], np.arange(len(emp)), 0)) \
        if len(emp) else np.zeros(0, dtype="int64")
    runs["seg"] = (np.arange(len(emp)) - first).astype("int64")  # each person's runs numbered 0, 1 …
    return runs[list(STAFF_COLUMNS) + ["seg", "seg_from", "seg_to", "terms"]].reset_index(drop=True)


#: The columns of ``staff_plans``.
STAFF_COLUMNS = ("employee_id", "name", "department", "plan", "basis", "method", "gate", "annual_cap")


def _plan_findings(ids: pd.Series, plan: pd.Series, plans: pd.DataFrame, tiers: pd.DataFrame,
                   findings: list[Finding]) -> None:
    """The findings ``staff_plans`` gives for the Roster's ``ids`` and their ``plan`` (both ``_text``), found with
    sets rather than its frames and merge (``staff_segments`` needs only them; tests/test_royalties.py compares)."""
    valid = {p for p, b, m in zip(_text(plans["plan"]).tolist(), _text(plans["basis"]).tolist(),
                                  _text(plans["method"]).tolist())
             if not pd.isna(p) and b in BASIS_INDICATOR and m in (MARGINAL, RETROACTIVE)}
    seen: set[str] = set()
    used: set[str] = set()
    for emp, p in zip(ids.tolist(), plan.tolist()):
        if pd.isna(emp) or emp in seen:  # the first row of each person, as drop_duplicates keeps
            continue
        seen.add(emp)
        if pd.isna(p):
            continue
        if p in valid:
            used.add(p)
        else:
            findings.append(Finding("royalty-unknown-plan", sheet=_ROSTER.sheet.en, value=p,
                                    column=_ROSTER.column("royalty_plan").label.en, params={"employee_id": emp}))
    tiered = set(_text(tiers["plan"]).dropna())
    for p in sorted(used - tiered):
        findings.append(Finding("royalty-no-tiers", sheet=_TIERS.sheet.en, value=p))


def versioned_tiers(tiers: pd.DataFrame) -> pd.DataFrame:
    """The Royalty Tiers with ``terms``: the plan and its version (Valid From), as ``staff_segments`` keys them."""
    return tiers.assign(terms=_text(tiers["plan"]) + "|" + V.valid_ordinals(tiers).astype("string"))


def tier_rows(tiers: pd.DataFrame) -> pd.DataFrame:
    """The Royalty Tiers as ``evaluate_segments`` reads them: terms (``versioned_tiers``' key, else the plan),
    from_pct, to_pct, rate, sorted by terms and From. Callers evaluating many months on the same tiers prepare them
    once (``attrs["tier_rows"]``)."""
    if tiers.attrs.get("tier_rows"):
        return tiers
    t = pd.DataFrame({"terms": _text(tiers["terms"] if "terms" in tiers.columns else tiers["plan"]),
                      "from_pct": _num(tiers["from_pct"]).fillna(0.0),
                      "to_pct": _num(tiers["to_pct"]), "rate": _num(tiers["rate"]).fillna(0.0)})
    t = t[t["terms"].notna()].sort_values(["terms", "from_pct"], kind="stable")
    t.attrs["tier_rows"] = True
    return t


def _credits_ytd(contracts: pd.DataFrame, collections: pd.DataFrame, start: pd.Timestamp,
                 end: pd.Timestamp, memo: dict[Any, Any] | None = None) -> pd.DataFrame:
    """Credited receipts and signed contracts dated in [start, end): both bases, one frame.

    Columns: employee_id, basis, date, receipt_no, contract_no, product_line, amount, share,
    credited, role, _row, source, table. ``memo`` (a ledger's): the credits of the whole year from ``start`` (a
    January 1st) are built once per ``memo`` and input objects and cut at ``end`` (``_year_credits``).
    """
    parts = _year_credits(contracts, collections, start, end, memo)
    received, signed = parts if parts is not None else _credit_parts(contracts, collections, start, end)
    frames = [f for f in (received, signed) if len(f)]
    if not frames:
        return received.iloc[0:0]
    return pd.concat(frames, ignore_index=True)


def _year_credits(contracts: pd.DataFrame, collections: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp,
                  memo: dict[Any, Any] | None) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """``_credit_parts`` of [start, end) as the rows dated before ``end`` of the whole year's parts, built once per
    ``memo`` (a ledger's; a property test's or a performance file's months each compute a year to date on the same
    frames): each row of a part depends on its own contract or receipt alone, and a part's rows keep their order
    (the receipts' inner merge keeps the receipts' order), so the cut is the window's part, to the dtype, when the
    dates are typed (datetime64: ``to_datetime`` of a cut then infers nothing). None — build the window's parts —
    without a memo, for other windows or dates, or when the window holds no row (the empty frame's dtypes are
    those of an empty build). tests/test_royalties.py compares both."""
    if memo is None or (start.month, start.day) != (1, 1) or not (
            end <= pd.Timestamp(start.year + 1, 1, 1) and pd.api.types.is_datetime64_any_dtype(contracts["sign_date"])
            and pd.api.types.is_datetime64_any_dtype(collections["receipt_date"])):
        return None
    year_end = pd.Timestamp(start.year + 1, 1, 1)
    year = per_inputs(memo, ("core.royalties.year_credits", start.year), (contracts, collections),
                      lambda: _credit_parts(contracts, collections, start, year_end),
                      copy=lambda hit: hit)  # only cut below: each cut is a new frame (copy-on-write)
    parts = tuple(p[(p["date"] < end).to_numpy(dtype=bool)].reset_index(drop=True) for p in year)
    return None if not any(len(p) for p in parts) else (parts[0], parts[1])


def _credit_parts(contracts: pd.DataFrame, collections: pd.DataFrame, start: pd.Timestamp,
                  end: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The credited receipts and the credited signed contracts dated in [start, end) (``_credits_ytd``'s two
    parts, in its columns)."""
    # every contract's credits once, for both bases: a contract's credit rows depend on that contract alone, so
    # those of the contracts signed in the window are the window's cut of them, in the same order
    credits = contract_credits(contracts)
    sign = pd.to_datetime(credits["sign_date"], errors="coerce")
    signed = credits[((sign >= start) & (sign < end)).to_numpy(dtype=bool)].reset_index(drop=True)
    signed = pd.DataFrame({
        "employee_id": _text(signed["employee_id"]),
        "basis": "Signed",
        "date": pd.to_datetime(signed["sign_date"], errors="coerce"),
        "receipt_no": pd.Series(pd.NA, index=signed.index, dtype="string"),
        "contract_no": _text(signed["contract_no"]),
        "product_line": _text(signed["product_line"]),
        "amount": _num(signed["amount"]),
        "share": signed["share"].astype("float64"),
        "role": signed["role"],
        "_row": _col(signed, "_row"),
        "source": _col(signed, "source"),
        "department": _col(signed, "department"),
        "table": _CONTRACTS.key,
    })
    signed["credited"] = signed["amount"] * signed["share"]
    rdate = pd.to_datetime(collections["receipt_date"], errors="coerce")
    col = collection_credits(collections[(rdate >= start) & (rdate < end)], contracts, credits)
    received = pd.DataFrame({
        "employee_id": _text(col["employee_id"]),
        "basis": "Collected",
        "date": pd.to_datetime(col["receipt_date"], errors="coerce"),
        "receipt_no": _text(col["receipt_no"]),
        "contract_no": _text(col["contract_no"]),
        "product_line": _text(col["product_line"]),
        "amount": _num(col["amount"]),
        "share": col["share"].astype("float64"),
        "role": col["role"],
        "_row": _col(col, "_row"),
        "source": _col(col, "source"),
        "department": _col(col, "department"),
        "table": _COLLECTIONS.key,
        "credited": _num(col["credited"]),
    })
    return received, signed


def grouped_plan(plan: pd.DataFrame) -> pd.DataFrame:
    """The Plan summed per (employee_id, indicator), months as numbers (missing as 0): what ``evaluate`` reads.
    Callers evaluating many months on one Plan group it once (``attrs["grouped"]``)."""
    if plan.attrs.get("grouped"):
        return plan
    values = plan[list(MONTH_KEYS)]
    if not all(t == np.float64 for t in values.dtypes):  # numbers already (as read): nothing to convert
        values = values.apply(pd.to_numeric, errors="coerce")
    values = values.fillna(0.0)
    frame = pd.concat([pd.DataFrame({"employee_id": _text(plan["employee_id"]),
                                     "indicator": _text(plan["indicator"])}), values], axis=1)
    frame = frame.groupby(["employee_id", "indicator"], as_index=False)[list(MONTH_KEYS)].sum()
    frame["_has"] = True
    frame.attrs["grouped"] = True
    return frame


def _evaluated_terms(tiers: pd.DataFrame, plan: pd.DataFrame, roster: pd.DataFrame, year: int,
                     memo: dict[Any, Any] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tier rows (``tier_rows`` of ``versioned_tiers``) and the grouped Plan of the months employed
    (``grouped_plan`` of ``employed_plan``) that ``royalties`` and ``payment_schedule`` evaluate on: once per
    ``memo`` (a ledger's) and input objects, not once per call (each month's royalties of a ledger, its payment
    schedule); each caller gets copies (their ``attrs`` markers kept)."""
    return (per_inputs(memo, ("core.royalties.tier_rows",), (tiers,), lambda: tier_rows(versioned_tiers(tiers))),
            per_inputs(memo, ("core.royalties.grouped_plan", year), (plan, roster),
                       lambda: grouped_plan(employed_plan(plan, roster, year))))


def _segment_target(plan: pd.DataFrame, segs: pd.DataFrame, month: int) -> np.ndarray:
    """Each segment's target: Σ of its Plan months of its basis indicator, from ``seg_from`` to
    min(``seg_to``, month) (missing months as 0; NaN without a Plan row)."""
    frame = grouped_plan(plan)
    # each segment's (employee, indicator) row of the grouped Plan (unique keys: a dict, not a merge per month)
    at = dict(zip(zip(frame["employee_id"].to_numpy(), frame["indicator"].to_numpy()), range(len(frame))))
    rows = np.fromiter((at.get(k, -1) for k in zip(segs["employee_id"].to_numpy(), segs["indicator"].to_numpy())),
                       dtype="int64", count=len(segs))
    found = rows >= 0
    values = frame[list(MONTH_KEYS)].to_numpy(dtype="float64", na_value=np.nan)
    grid = np.nan_to_num(np.where(found[:, None], values[np.where(found, rows, 0)] if len(values) else 0.0, 0.0),
                         nan=0.0)
    months = np.arange(1, 13)
    lo = segs["seg_from"].to_numpy(dtype="int64")
    hi = np.minimum(segs["seg_to"].to_numpy(dtype="int64"), month)
    mask = (months >= lo[:, None]) & (months <= hi[:, None])
    return np.where(found, (grid * mask).sum(axis=1), np.nan)


def _segments_of(staff: pd.DataFrame, month: int) -> pd.DataFrame:
    """The staff's segments that have begun by ``month`` (a staff frame without segments: one segment per
    employee, the whole year, on the plan's tiers), one row each, ``_k`` its position."""
    segs = staff
    if "seg_from" not in segs.columns:
        segs = segs.assign(seg=0, seg_from=1, seg_to=12)
    if "terms" not in segs.columns:
        segs = segs.assign(terms=segs["plan"])
    segs = segs[segs["seg_from"] <= month].reset_index(drop=True)
    return segs.assign(_k=np.arange(len(segs)))


def _assign(contrib: pd.DataFrame, segs: pd.DataFrame) -> pd.Series:
    """The segment (``_k``) each contribution row falls in: same employee and basis, dated in the segment's
    months (rows without a date or a basis: the employee's first segment). -1 when none; several: the first in
    ``segs``' order."""
    if not len(contrib):
        return pd.Series(np.zeros(0, dtype="int64"), index=contrib.index)
    n = len(contrib)
    # each employee's segments in ``segs``' order, as a run of positions in ``order`` (numpy, not a merge)
    seg_emp = segs["employee_id"].to_numpy()
    codes, uniques = pd.factorize(seg_emp)
    order = np.argsort(codes, kind="stable")
    starts = np.searchsorted(codes[order], np.arange(len(uniques)))
    ends = np.searchsorted(codes[order], np.arange(len(uniques)), side="right")
    who = pd.Index(uniques).get_indexer(contrib["employee_id"].to_numpy()) if len(uniques) else np.full(n, -1)
    has = who >= 0
    start = np.where(has, starts[np.where(has, who, 0)] if len(uniques) else 0, 0)
    count = np.where(has, (ends - starts)[np.where(has, who, 0)] if len(uniques) else 0, 0)
    if "date" in contrib.columns:
        month = _months(contrib["date"])
    else:
        month = np.full(n, np.nan)
    # plain object arrays with None for missing: comparing pandas' NA (nullable "string") would raise
    basis = contrib["basis"].to_numpy(dtype=object, na_value=None) if "basis" in contrib.columns \
        else np.full(n, None, dtype=object)
    no_basis = pd.isna(basis)
    s_basis = segs["basis"].to_numpy(dtype=object, na_value=None)
    s_from = segs["seg_from"].to_numpy(dtype="float64")
    s_to = segs["seg_to"].to_numpy(dtype="float64")
    s_k = segs["_k"].to_numpy(dtype="int64")
    out = np.full(n, -1, dtype="int64")
    for j in range(int(count.max()) if n else 0):  # the employee's j-th segment, for every row at once
        open_ = (out < 0) & (count > j)
        pos = order[np.where(open_, start + j, 0)]
        ok = open_ & (no_basis | (basis == s_basis[pos])) & (
            np.isnan(month) | ((month >= s_from[pos]) & (month <= s_to[pos])))
        out[ok] = s_k[pos[ok]]
    return pd.Series(out, index=contrib.index)


def _months(dates: pd.Series) -> np.ndarray:
    """Each date's month (1..12) as float64, NaN where missing: from NumPy's datetime64 values (whole months since
    1970, floored) when the column is one — ``_assign`` runs once per month evaluated and pandas' ``dt.month``
    costs ≈ 0.3 ms on a few rows —, else pandas' reading of the dates (``_pandas_months``; tests/test_royalties.py
    compares both)."""
    if not (isinstance(dates.dtype, np.dtype) and dates.dtype.kind == "M"):
        return _pandas_months(dates)
    values = dates.to_numpy()
    month = (values.astype("datetime64[M]").astype("int64") % 12 + 1).astype("float64")
    return np.where(np.isnat(values), np.nan, month)


def _pandas_months(dates: pd.Series) -> np.ndarray:
    """``_months`` read by pandas (any dtype: text dates are parsed, unreadable ones NaN)."""
    return pd.to_datetime(dates, errors="coerce").dt.month.to_numpy(dtype="float64", na_value=np.nan)


def evaluate(staff: pd.DataFrame, contrib: pd.DataFrame, plan: pd.DataFrame, tiers: pd.DataFrame,
             month: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """R at the end of ``month`` for every staff member: (lines, bands). ``contrib`` is already weighted."""
    lines, bands, _ = evaluate_segments(staff, contrib, plan, tiers, month)
    return lines, bands


def evaluate_segments(staff: pd.DataFrame, contrib: pd.DataFrame, plan: pd.DataFrame, tiers: pd.DataFrame,
                      month: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """R at the end of ``month``: (lines per employee, bands, segment lines) (DOMAIN.md, "Royalty across a
    change"). Each segment (``staff_segments``) is its own year to date over its months: base, target,
    completion, gate and tiers within it, weighted by product line; R = min(Annual Cap of the plan in force,
    Σ segments). A staff frame without segments is one segment per employee. ``contrib`` is already weighted."""
    segs = _segments_of(staff, month)
    k = _assign(contrib, segs)
    c = contrib.assign(_k=k.to_numpy())
    # the same sums as a named aggregation, at a fraction of its cost (this runs once per month evaluated)
    base = c[c["_k"] >= 0].groupby("_k")[["credited", "weighted"]].sum().rename(
        columns={"credited": "ytd_base", "weighted": "weighted_base"})
    lines = segs.join(base, on="_k")
    lines[["ytd_base", "weighted_base"]] = lines[["ytd_base", "weighted_base"]].fillna(0.0)
    lines["indicator"] = lines["basis"].map(BASIS_INDICATOR)
    lines["ytd_target"] = _segment_target(plan, lines, month) if len(lines) else np.zeros(0)
    B = lines["ytd_base"].to_numpy(dtype="float64")
    Y = lines["ytd_target"].to_numpy(dtype="float64", na_value=np.nan)
    has_target, c, c_cmp, passed, eligible = _gate(B, Y, lines["gate"].to_numpy(dtype="float64"))
    lines["completion"] = c

    # tiers as (segment x tier) rows: every band evaluated at once
    t = tier_rows(tiers)
    lines["_eligible"] = eligible
    lines["_c"] = c_cmp
    bands = lines[["_k", "employee_id", "seg", "plan", "terms", "method", "ytd_base", "ytd_target", "_eligible",
                   "_c"]].merge(t, on="terms", how="inner")
    bk = bands["_k"].to_numpy(dtype="int64")
    band_base, applied, amount, holds_c = _band_amounts(
        bk, len(lines), bands["ytd_base"].to_numpy(), bands["ytd_target"].fillna(0.0).to_numpy(),
        bands["from_pct"].to_numpy(), bands["to_pct"].to_numpy(dtype="float64", na_value=np.nan),
        (bands["method"] == MARGINAL).to_numpy(), bands["_eligible"].to_numpy(dtype=bool),
        bands["_c"].to_numpy(dtype="float64", na_value=np.nan), bands["rate"].to_numpy())
    bands["band_base"] = band_base
    bands["applied"] = applied
    bands["band_amount"] = amount
    T = bands.groupby("_k")["band_amount"].sum().reindex(lines["_k"]).fillna(0.0).to_numpy()
    T = np.where(eligible, T, 0.0)
    # the rate of the tier holding c (Marginal: the top band reached), for the statement (``_k`` is the position)
    held = np.zeros(len(lines), dtype=bool)
    held[bk[holds_c]] = True
    rate_held = np.full(len(lines), np.nan)
    rate_held[bk[holds_c]] = bands["rate"].to_numpy(dtype="float64")[holds_c]
    factor = _factor(B, lines["weighted_base"].to_numpy())
    lines["effective_factor"] = factor
    lines["tier_rate"] = np.where(has_target, rate_held, np.nan)
    lines["segment_royalty"] = np.where(eligible, T * np.nan_to_num(factor), 0.0)
    outside = (lines["method"] == RETROACTIVE).to_numpy(dtype=bool) & ~held
    lines["reason"] = np.select([~has_target, ~passed, B <= 0, eligible & outside],
                                ["no-target", "below-gate", "no-base", "no-tier"], "ok")
    segments = lines.drop(columns=["_eligible", "_c"])
    bands = bands.drop(columns=["_eligible", "_c", "ytd_base", "ytd_target", "terms", "_k"])
    return _per_employee(segments), bands, segments.drop(columns=["_k"])


def month_end_royalty(staff: pd.DataFrame, contrib: pd.DataFrame, plan: pd.DataFrame, tiers: pd.DataFrame,
                      month: int) -> pd.DataFrame:
    """``evaluate``'s lines reduced to what a month-end total needs (employee_id, ytd_royalty_exact), in the same
    order and to the same bit: a payment schedule evaluates ten or more months for their totals alone, and most of
    ``evaluate_segments``' cost on a small ledger is building the statement's frames (bands, segment lines) with
    pandas calls of ≈ 0.1–0.5 ms each. Here the segments and bands are arrays; the sums are the same pandas
    group sums as ``evaluate_segments``' (same values, same groups, same order: pandas' summation is not plain
    floating-point addition). A segment without an employee, or no staff: ``evaluate`` itself (the general path;
    tests/test_royalties.py compares both, on years with and without segments)."""
    segs = _segments_of(staff, month)
    emp = segs["employee_id"].to_numpy(dtype=object, na_value=None)
    n = len(emp)
    if not n or any(e is None for e in emp):
        lines = evaluate(staff, contrib, plan, tiers, month)[0]
        return lines[["employee_id", "ytd_royalty_exact"]]
    k = _assign(contrib, segs).to_numpy()
    B = np.zeros(n)
    W = np.zeros(n)
    if (k >= 0).any():
        base = contrib[["credited", "weighted"]].assign(_k=k)[k >= 0].groupby("_k")[["credited", "weighted"]].sum()
        at = base.index.to_numpy(dtype="int64")
        B[at] = base["credited"].to_numpy(dtype="float64")
        W[at] = base["weighted"].to_numpy(dtype="float64")
        B, W = np.where(np.isnan(B), 0.0, B), np.where(np.isnan(W), 0.0, W)  # as the join's fillna(0.0)
    basis = segs["basis"].to_numpy(dtype=object, na_value=None)
    Y = _segment_target(plan, pd.DataFrame({
        "employee_id": emp, "indicator": np.array([BASIS_INDICATOR.get(b) for b in basis], dtype=object),
        "seg_from": segs["seg_from"].to_numpy(), "seg_to": segs["seg_to"].to_numpy()}), month)
    _, _, c_cmp, _, eligible = _gate(B, Y, segs["gate"].to_numpy(dtype="float64"))
    t = tier_rows(tiers)
    bk, tj = _band_rows(segs["terms"].to_numpy(dtype=object, na_value=None),
                        t["terms"].to_numpy(dtype=object, na_value=None))
    marginal = segs["method"].to_numpy(dtype=object, na_value=None) == MARGINAL
    _, _, amount, _ = _band_amounts(
        bk, n, B[bk], np.where(np.isnan(Y), 0.0, Y)[bk], t["from_pct"].to_numpy(dtype="float64")[tj],
        t["to_pct"].to_numpy(dtype="float64", na_value=np.nan)[tj], marginal[bk], eligible[bk], c_cmp[bk],
        t["rate"].to_numpy(dtype="float64")[tj])
    T = np.full(n, np.nan)
    if len(bk):
        sums = pd.Series(amount).groupby(bk).sum()  # evaluate_segments' group sums, from the arrays
        T[sums.index.to_numpy(dtype="int64")] = sums.to_numpy(dtype="float64")
    T = np.where(eligible, np.where(np.isnan(T), 0.0, T), 0.0)
    royalty = np.where(eligible, T * np.nan_to_num(_factor(B, W)), 0.0)
    cap = segs["annual_cap"].to_numpy(dtype="float64", na_value=np.nan)
    if len(set(emp)) == n:  # one segment each (the usual year): _per_employee's sum of one value
        order = np.argsort(emp, kind="stable")  # _per_employee's order: by employee (unique here)
        uncapped = np.where(np.isnan(royalty), 0.0, 0.0 + royalty)[order]
        cap = cap[order]
    else:  # a year cut in segments: _per_employee's group sums, each person's last segment begun gives the cap
        order = segs[["employee_id", "seg"]].sort_values(["employee_id", "seg"], kind="stable").index.to_numpy()
        ids = segs["employee_id"].iloc[order].reset_index(drop=True)
        uncapped = pd.DataFrame({"employee_id": ids, "segment_royalty": royalty[order]}).groupby(
            "employee_id")["segment_royalty"].sum().reindex(ids.drop_duplicates(keep="last")).to_numpy()
        last = np.r_[emp[order][1:] != emp[order][:-1], True]
        order, cap = order[last], cap[order][last]
    exact = np.where(~np.isnan(cap) & (uncapped > cap), cap, uncapped)
    return pd.DataFrame({"employee_id": segs["employee_id"].iloc[order].reset_index(drop=True),
                         "ytd_royalty_exact": exact})


def _band_rows(seg_terms: np.ndarray, tier_terms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(segment, tier) positions of every band, in the order ``evaluate_segments``' inner merge on ``terms`` gives
    them: segment by segment, each segment's tiers in the tiers' order."""
    where: dict[Any, list[int]] = {}
    for j, term in enumerate(tier_terms):
        if term is not None:
            where.setdefault(term, []).append(j)
    pairs = [(i, j) for i, term in enumerate(seg_terms) for j in where.get(term, ())]
    return (np.array([i for i, _ in pairs], dtype="int64"), np.array([j for _, j in pairs], dtype="int64"))


def _gate(B: np.ndarray, Y: np.ndarray, gate: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each segment's (has_target, completion, completion as compared, passed the gate, eligible) from its base B,
    target Y (NaN: none) and gate."""
    has_target = np.nan_to_num(Y, nan=0.0) > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(has_target, B / np.where(has_target, Y, 1.0), np.nan)
    c_cmp = np.round(c, COMPLETION_DECIMALS)
    passed = has_target & (c_cmp >= np.round(gate, COMPLETION_DECIMALS))
    return has_target, c, c_cmp, passed, passed & (B > 0)


def _factor(B: np.ndarray, weighted: np.ndarray) -> np.ndarray:
    """The effective product-line factor: weighted base ÷ base (NaN without a positive base)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(B > 0, weighted / np.where(B > 0, B, 1.0), np.nan)


def _band_amounts(bk: np.ndarray, n: int, bb: np.ndarray, by: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                  marginal: np.ndarray, el: np.ndarray, bc: np.ndarray, rate: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every band of every segment at once: (band_base, applied, band_amount, holds_c) for band rows of segment
    ``bk`` (of ``n``) with the segment's base ``bb``, target ``by`` (missing: 0), the tier's From ``lo``, To ``hi``
    (NaN: unbounded) and ``rate``, the plan's method (``marginal``), eligibility ``el`` and completion ``bc`` (as
    compared)."""
    unbounded = np.isnan(hi)
    # Marginal: each band's slice of B; Retroactive: the tier holding c gets all of B
    band_top = np.where(unbounded, bb, np.minimum(bb, np.nan_to_num(hi) * by))
    m_base = np.maximum(0.0, band_top - lo * by)
    in_tier = (bc >= np.round(lo, COMPLETION_DECIMALS)) & (
        unbounded | (bc < np.round(np.nan_to_num(hi), COMPLETION_DECIMALS)))
    # the tier holding c (overlaps: the highest From wins, the first such band if two); Retroactive pays all of B
    # at its rate. Group maxima and first rows in numpy (exact: no sums), not a groupby per month evaluated
    max_from = np.full(n, -np.inf)
    np.maximum.at(max_from, bk[in_tier], lo[in_tier])
    hc = in_tier & (lo == max_from[bk])
    holds_c = np.zeros(len(bk), dtype=bool)
    holds_c[np.flatnonzero(hc)[np.unique(bk[hc], return_index=True)[1]]] = True
    r_applied = holds_c & ~marginal
    band_base = np.where(marginal, m_base, np.where(r_applied, bb, 0.0))
    applied = np.where(marginal, m_base > 0, r_applied) & el
    return band_base, applied, np.where(applied, rate * band_base, 0.0), holds_c


def _per_employee(segments: pd.DataFrame) -> pd.DataFrame:
    """One line per employee from their segments: the segment in force (the last begun) gives the plan, its
    terms, completion and tier rate; base, weighted base and target are the year's sums; R = min(cap, Σ R)."""
    segments = segments.sort_values(["employee_id", "seg"], kind="stable")
    dropped = ["_k", "segment_royalty", "seg", "seg_from", "seg_to", "terms"]
    emp = segments["employee_id"]
    if emp.notna().all() and not emp.duplicated().any():
        # one segment each (the usual year): each sum is that segment's value, as pandas' sum of one value gives it
        # (0.0 + value: -0.0 becomes 0.0; a missing value is 0, a missing target stays missing), without 3 groupbys
        lines = segments.set_index("employee_id").drop(columns=dropped, errors="ignore")
        for col in ("ytd_base", "weighted_base"):
            lines[col] = _sum_of_one(segments[col], 0)
        lines["ytd_target"] = _sum_of_one(segments["ytd_target"], 1)
        uncapped = _sum_of_one(segments["segment_royalty"], 0)
        count = np.ones(len(lines), dtype="int64")
    else:
        current = segments.drop_duplicates("employee_id", keep="last").set_index("employee_id")
        sums = segments.groupby("employee_id")[["ytd_base", "weighted_base", "segment_royalty"]].sum()
        target = segments.groupby("employee_id")["ytd_target"].sum(min_count=1)
        lines = current.drop(columns=dropped, errors="ignore")
        lines[["ytd_base", "weighted_base"]] = sums[["ytd_base", "weighted_base"]]
        lines["ytd_target"] = target
        uncapped = sums["segment_royalty"].reindex(lines.index).to_numpy()
        count = segments.groupby("employee_id").size().reindex(lines.index).to_numpy()
    B = lines["ytd_base"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        lines["effective_factor"] = np.where(B > 0, lines["weighted_base"].to_numpy() / np.where(B > 0, B, 1.0),
                                             np.nan)
    cap = lines["annual_cap"].to_numpy(dtype="float64", na_value=np.nan)
    capped = ~np.isnan(cap) & (uncapped > cap)
    lines["ytd_royalty_uncapped"] = uncapped
    lines["ytd_royalty_exact"] = np.where(capped, cap, uncapped)
    lines["reason"] = np.where(capped, "capped", lines["reason"].to_numpy())
    lines["segments"] = count
    return lines.reset_index()


def _sum_of_one(values: pd.Series, min_count: int) -> np.ndarray:
    """What ``groupby(...).sum(min_count=min_count)`` gives for groups of one value each: 0.0 + the value (a
    missing value: 0.0, or missing with ``min_count`` 1)."""
    v = values.to_numpy(dtype="float64", na_value=np.nan)
    return 0.0 + v if min_count else np.where(np.isnan(v), 0.0, 0.0 + v)


def _weight(contrib: pd.DataFrame, product_lines: pd.DataFrame) -> pd.DataFrame:
    """Attach each row's product-line royalty factor (unknown lines: 1) and its weighted credit; the factor is
    the product line's version in force in the month of the row's date (Valid From; docs/people.md)."""
    pl = pd.DataFrame({"product_line": _text(product_lines["product_line"]),
                       "factor": _num(product_lines["royalty_factor"]),
                       V.VALID_FROM: product_lines.get(V.VALID_FROM)})
    out = contrib.reset_index(drop=True)
    factor = V.value_by_date(pl, "product_line", "factor", out["product_line"], out["date"])
    out["factor"] = factor.astype("float64").to_numpy()
    out["known_line"] = out["factor"].notna()
    out["factor"] = out["factor"].fillna(1.0)
    out["weighted"] = out["credited"] * out["factor"]
    return out


def _prepare(contracts: pd.DataFrame, collections: pd.DataFrame, roster: pd.DataFrame, plans: pd.DataFrame,
             tiers: pd.DataFrame, product_lines: pd.DataFrame, year: int,
             month: int, pay_leavers_later: bool = False, changes: pd.DataFrame | None = None,
             memo: dict[Any, Any] | None = None) -> tuple[pd.DataFrame, pd.DataFrame, list[Finding]]:
    """``_prepared``, once per ``memo`` (a ledger's), period and input objects (the last period's kept): the close's
    payment schedule and its royalties of the same period share it; each caller gets copies."""
    inputs = (contracts, collections, roster, plans, tiers, product_lines, changes, year, month,
              bool(pay_leavers_later))
    return per_inputs(memo, ("core.royalties.prepare",), inputs,  # the last period's only: a ledger's memory
                      lambda: _prepared(contracts, collections, roster, plans, tiers, product_lines, year, month,
                                        pay_leavers_later, changes, memo),
                      copy=lambda hit: (hit[0].copy(), hit[1].copy(), list(hit[2])))


def _prepared(contracts: pd.DataFrame, collections: pd.DataFrame, roster: pd.DataFrame, plans: pd.DataFrame,
              tiers: pd.DataFrame, product_lines: pd.DataFrame, year: int, month: int, pay_leavers_later: bool,
              changes: pd.DataFrame | None, memo: dict[Any, Any] | None
              ) -> tuple[pd.DataFrame, pd.DataFrame, list[Finding]]:
    """Staff's royalty segments (``staff_segments``; ``roster`` is the Roster before ``changes``) and their
    weighted contributions Jan..month (each in the segment of its date, on that segment's basis), findings.

    Rows dated after a person's Leave Date credit nothing to them unless ``pay_leavers_later`` (the Thresholds
    option ``Pay Leavers On Later Receipts``; docs/people.md)."""
    findings: list[Finding] = []
    now = roster_at(roster, changes, year, month)
    staff = staff_segments(roster, changes, plans, tiers, year, month, findings, now, memo)
    start = pd.Timestamp(year, 1, 1)
    end = month_end(year, month)
    month_start = pd.Timestamp(year, month, 1)
    all_credits = _credits_ytd(contracts, collections, start, end, memo)
    left = leave_dates(roster)
    if len(left) and not pay_leavers_later and len(all_credits):
        after = all_credits["date"] > all_credits["employee_id"].map(left)
        all_credits = all_credits[~after.fillna(False).to_numpy(dtype=bool)].reset_index(drop=True)
    _credit_findings(all_credits, contracts, collections, now, staff, start, end, findings)
    weighted = _weight(all_credits, product_lines)
    for line in sorted(set(weighted.loc[~weighted["known_line"], "product_line"].dropna())):
        findings.append(Finding("royalty-unknown-product-line", sheet=_CONTRACTS.sheet.en, value=line,
                                column=_CONTRACTS.column("product_line").label.en))
    # keep only the rows of a segment's basis dated in its months, with the segment
    segs = _segments_of(staff, 12)
    k = _assign(weighted, segs).to_numpy()
    contrib = weighted[k >= 0].assign(seg=segs["seg"].to_numpy()[k[k >= 0]])
    contrib["in_period"] = contrib["date"] >= month_start
    contrib = contrib.sort_values(["employee_id", "date", "contract_no", "receipt_no"], kind="stable",
                                  na_position="last").reset_index(drop=True)
    return staff, contrib.drop(columns=["known_line"]), findings


def month_end(year: int, month: int) -> pd.Timestamp:
    """The first instant after ``month`` (exclusive end of the YTD window)."""
    return pd.Timestamp(year + 1, 1, 1) if month == 12 else pd.Timestamp(year, month + 1, 1)


def royalties(contracts: pd.DataFrame, collections: pd.DataFrame, plan: pd.DataFrame, roster: pd.DataFrame,
              plans: pd.DataFrame, tiers: pd.DataFrame, product_lines: pd.DataFrame, period: str,
              departments: Collection[str] | None = None, absent_people: Collection[str] = (),
              pay_leavers_later: bool = False, changes: pd.DataFrame | None = None,
              memo: dict[Any, Any] | None = None) -> RoyaltyResult:
    """Royalties for ``period`` ("YYYY-MM") from plain typed frames (schema column keys).

    The true-up needs R at the end of the previous month, computed the same way on the rows dated up
    to then (what the payout ledger, ``toolkit.core.payouts``, replaces by what was recorded as paid).
    ``departments``: the departments the data covers; employees of other Roster departments get
    ``status`` "not-computed" (reason "department-not-consolidated"), no figures, and stay out of the totals;
    so do ``absent_people`` (employees with rows in a department not consolidated). ``roster`` is the Roster
    before ``changes`` (Roster Changes): a person's plan by month cuts their royalty into segments. ``memo``: the
    ledger's (``compute_royalties``), which keeps the month-independent segment runs for its next computations.
    """
    year, month = year_month(period)
    staff, contrib, findings = _prepare(contracts, collections, roster, plans, tiers, product_lines, year, month,
                                        pay_leavers_later, changes, memo)
    tiers, plan = _evaluated_terms(tiers, plan, roster, year, memo)  # prepared once for every month evaluated
    lines, bands, segments = evaluate_segments(staff, contrib, plan, tiers, month)
    hashes = row_hashes(contrib) if memo is not None else None
    ytd_cents(staff, contrib, plan, tiers, year, month, memo, lines,  # kept for the payment schedule of the month
              row_hashes=hashes)
    now_c = cents(lines["ytd_royalty_exact"])
    if month > 1:
        before = ~contrib["in_period"].to_numpy(dtype=bool)
        prev = ytd_cents(staff, contrib[before], plan, tiers, year, month - 1, memo,
                         row_hashes=hashes[before] if hashes is not None else None)
        prev_c = lines["employee_id"].map(prev.set_index("employee_id")["cents"]).fillna(0).to_numpy(dtype="int64")
    else:
        prev_c = np.zeros(len(lines), dtype="int64")
    lines["ytd_royalty"] = now_c / 100
    lines["previous_ytd_royalty"] = prev_c / 100
    lines["payment"] = (now_c - prev_c) / 100
    lines["clawback"] = (now_c - prev_c) < 0
    lines = lines.drop(columns=["ytd_royalty_exact", "indicator"])
    lines = lines.sort_values(["department", "employee_id"], kind="stable", na_position="last").reset_index(drop=True)
    lines["status"] = coverage_status(lines["department"], departments, lines["employee_id"], absent_people)
    out = lines["status"] == NOT_COMPUTED
    if out.any():
        money = [c for c in (*LINE_MONEY, "weighted_base", "completion", "tier_rate", "effective_factor")
                 if c in lines.columns]
        lines.loc[out, money] = np.nan
        lines.loc[out, "clawback"] = False
        lines.loc[out, "reason"] = NOT_CONSOLIDATED
        skipped = set(lines.loc[out, "employee_id"])
        contrib = contrib[~contrib["employee_id"].isin(skipped)].reset_index(drop=True)
        bands = bands[~bands["employee_id"].isin(skipped)].reset_index(drop=True)
        segments = segments[~segments["employee_id"].isin(skipped)].reset_index(drop=True)

    tierless = {f.value for f in findings if f.code == "royalty-no-tiers"}
    # the rows to report, taken only when there are some (a frame cut and ``to_dict`` cost ≈ 1 ms even when empty)
    odd = ~np.isin(lines["reason"].to_numpy(dtype=object), ["ok", "capped", "below-gate", "no-base", NOT_CONSOLIDATED])
    for rec in (lines[odd].to_dict("records") if odd.any() else []):
        if rec["reason"] == "no-target":
            ind = BASIS_INDICATOR[rec["basis"]]
            findings.append(Finding("royalty-no-target", sheet=DEPARTMENT.table("Plan").sheet.en,
                                    value=rec["employee_id"],
                                    params={"indicator": ind, "indicator_zh": E.INDICATOR.label(ind, "zh")}))
        elif rec["reason"] == "no-tier" and rec["plan"] not in tierless:
            findings.append(Finding("royalty-no-tier", sheet=_TIERS.sheet.en, value=rec["employee_id"],
                                    params={"completion": f"{rec['completion']:.2%}", "plan": rec["plan"]}))
    clawback = lines["clawback"].to_numpy(dtype=bool)
    for rec in (lines[clawback].to_dict("records") if clawback.any() else []):
        findings.append(Finding("royalty-clawback", value=rec["employee_id"], params={
            "name": rec["name"], "previous": fmt_money(rec["previous_ytd_royalty"]),
            "current": fmt_money(rec["ytd_royalty"]), "amount": fmt_money(-rec["payment"])}))
    return RoyaltyResult(period=f"{year:04d}-{month:02d}", lines=lines, contributions=contrib, bands=bands,
                         findings=findings, segments=segments.reset_index(drop=True))


def ytd_cents(staff: pd.DataFrame, rows: pd.DataFrame, plan: pd.DataFrame, tiers: pd.DataFrame, year: int,
              month: int, memo: dict[Any, Any] | None = None, lines: pd.DataFrame | None = None,
              row_hashes: np.ndarray | None = None) -> pd.DataFrame:
    """round(R) at the end of ``month`` of ``year`` in integer cents per employee (employee_id, cents): ``evaluate``
    of exactly ``rows`` (weighted contributions). Once per ``memo`` (a ledger's) and month for equal inputs, so a
    payment schedule, the royalties of a month and of the month before, a statement and every month of a
    performance file evaluate each month once: the staff, the Plan and the tiers compared by value, the rows by
    the columns the evaluation reads (``EVALUATED_COLUMNS``), their dtypes and each row's 64-bit hash in order
    (kept as hashes, not a copy, so the memo stays small); and once per run when the memo holds the run's
    ``Evaluations`` (``share_evaluations``): the months a later close, a statement or a performance file of
    another ledger evaluates again are found there. ``lines``: the caller's ``evaluate_segments``
    of these very inputs, kept rather than evaluated again. ``row_hashes``: ``row_hashes(rows)``, when the caller
    cut ``rows`` from a frame it hashed once (a row's hash depends on that row alone)."""
    def compute() -> pd.DataFrame:
        got = lines if lines is not None else month_end_royalty(staff, rows, plan, tiers, month)
        return pd.DataFrame({"employee_id": got["employee_id"].reset_index(drop=True),
                             "cents": cents(got["ytd_royalty_exact"])})

    if memo is None:
        return compute()
    keyed = rows[[c for c in EVALUATED_COLUMNS if c in rows.columns]]
    shape = repr([(str(c), str(t)) for c, t in keyed.dtypes.items()])
    hashes = pd.DataFrame({"row": _row_hashes(keyed) if row_hashes is None else row_hashes})
    return per_inputs(memo, ("core.royalties.ytd_cents", year, month), (staff, shape, hashes, plan, tiers),
                      lambda: _shared_evaluation(memo, ("ytd_cents", year, month, shape), (staff, plan, tiers),
                                                 hashes, compute, held_frames=True), equal=True)


def _row_hashes(keyed: pd.DataFrame) -> np.ndarray:
    """Each row's 64-bit hash of ``keyed``'s values (``ytd_cents``' key of its rows)."""
    return pd.util.hash_pandas_object(keyed, index=False).to_numpy()


def row_hashes(rows: pd.DataFrame) -> np.ndarray:
    """The hashes ``ytd_cents`` keys ``rows`` by (the ``EVALUATED_COLUMNS`` it has): hashed once, cut per month."""
    return _row_hashes(rows[[c for c in EVALUATED_COLUMNS if c in rows.columns]])


def payment_schedule(contracts: pd.DataFrame, collections: pd.DataFrame, plan: pd.DataFrame,
                     roster: pd.DataFrame, plans: pd.DataFrame, tiers: pd.DataFrame, product_lines: pd.DataFrame,
                     period: str, pay_leavers_later: bool = False, changes: pd.DataFrame | None = None,
                     months: Collection[int] | None = None, memo: dict[Any, Any] | None = None) -> pd.DataFrame:
    """Royalty paid for each month Jan..period: employee_id, month (1..12), ytd_royalty, royalty (payment).

    Each month's R is computed on the rows dated up to that month's end, as ``royalties`` does, so the
    payments are the same true-ups the monthly statements show. ``months``: only those months' rows, each
    evaluated with the month before it (a payment is R at the month's end minus R at the previous month's).
    ``memo``: the ledger's, as for ``royalties``.
    """
    year, month = year_month(period)
    staff, contrib, _ = _prepare(contracts, collections, roster, plans, tiers, product_lines, year, month,
                                 pay_leavers_later, changes, memo)
    tiers, plan = _evaluated_terms(tiers, plan, roster, year, memo)  # prepared once for every month evaluated
    parts = []
    evaluated = range(1, month + 1) if months is None else \
        sorted({q for m in months for q in (m - 1, m) if 1 <= q <= month})
    hashes = row_hashes(contrib) if memo is not None else None  # once, not once a month
    for q in evaluated:  # at most 12 vectorised evaluations, each a look-up when the memo holds it
        upto = (contrib["date"] < month_end(year, q)).to_numpy()
        ytd = ytd_cents(staff, contrib[upto], plan, tiers, year, q, memo,
                        row_hashes=hashes[upto] if hashes is not None else None)
        parts.append(pd.DataFrame({"employee_id": ytd["employee_id"], "month": q, "cents": ytd["cents"]}))
    out = pd.concat(parts, ignore_index=True).sort_values(["employee_id", "month"], kind="stable")
    paid = out["cents"] - out.groupby("employee_id")["cents"].shift(fill_value=0)
    out = out.assign(ytd_royalty=out["cents"] / 100, royalty=paid / 100).drop(columns="cents")
    if months is not None:
        out = out[out["month"].isin(set(months))]
    return out.reset_index(drop=True)


def _credit_findings(credits: pd.DataFrame, contracts: pd.DataFrame, collections: pd.DataFrame,
                     roster: pd.DataFrame, staff: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp,
                     findings: list[Finding]) -> None:
    """Receipts for unknown contracts, credits to unknown employees, business without a plan (YTD only)."""
    known_contracts = set(_text(contracts["contract_no"]).dropna())
    rdate = pd.to_datetime(collections["receipt_date"], errors="coerce")
    ytd = collections[(rdate >= start) & (rdate < end)]
    orphan = ytd[~_text(ytd["contract_no"]).isin(known_contracts)]
    for _, row in (orphan.iterrows() if len(orphan) else ()):
        findings.append(Finding("royalty-unknown-contract", sheet=_COLLECTIONS.sheet.en, value=row["contract_no"],
                                column=_COLLECTIONS.column("contract_no").label.en,
                                params={"receipt_no": row["receipt_no"]}, **_where(orphan, row)))
    people = _text(roster["employee_id"])
    on_roster = set(people.dropna())
    unknown = credits[~credits["employee_id"].isin(on_roster)]
    unknown = unknown.drop_duplicates(["contract_no", "employee_id", "source"]) if len(unknown) else unknown
    for _, row in (unknown.iterrows() if len(unknown) else ()):
        key = "employee_id" if row["role"] == "owner" else "split_employee_id"
        findings.append(Finding("royalty-unknown-employee", sheet=_CONTRACTS.sheet.en, value=row["employee_id"],
                                column=_CONTRACTS.column(key).label.en, params={"contract_no": row["contract_no"]},
                                **_contract_where(contracts, row["contract_no"])))
    planless = (_text(_col(roster, "royalty_plan")).isna() & people.notna()).to_numpy(dtype=bool)
    if not planless.any():  # everyone on the Roster has a plan (the usual case): no one to report
        return
    planned = set(staff["employee_id"])
    r = pd.DataFrame({"employee_id": people, "name": _text(_col(roster, "name"))})
    no_plan = r[planless]
    busy = credits[credits["employee_id"].isin(set(no_plan["employee_id"])) & ~credits["employee_id"].isin(planned)]
    if len(busy):
        amounts = busy.groupby(["employee_id", "basis"])["credited"].sum().unstack(fill_value=0.0)
        names = no_plan.drop_duplicates("employee_id").set_index("employee_id")["name"]
        for emp, row in amounts.iterrows():
            amount = ", ".join(f"{b} {fmt_money(v)}" for b, v in row.items() if v != 0)
            findings.append(Finding("royalty-no-plan", sheet=_ROSTER.sheet.en, value=emp,
                                    column=_ROSTER.column("royalty_plan").label.en,
                                    params={"name": names.get(emp), "amount": amount}))


def _contract_where(contracts: pd.DataFrame, contract_no: str) -> dict[str, Any]:
    hit = contracts[_text(contracts["contract_no"]) == contract_no]
    return _where(hit, hit.iloc[0]) if len(hit) else {"row": None, "file": None}


# --- the library function for entry points ----------------------------------------------------


def _ledger_frames(ledger: Any) -> list[pd.DataFrame]:
    """The seven frames ``royalties`` takes, from a ``toolkit.core.ledger.Ledger`` (the Roster before its Roster
    Changes: pass ``changes=ledger.standard("RosterChanges")``)."""
    dept = [ledger.tables[k] for k in ("Contracts", "Collections", "Plan")]
    return dept + [ledger.standard(k) for k in ("Roster", "RoyaltyPlans", "RoyaltyTiers", "ProductLines")]


def _changes(ledger: Any) -> pd.DataFrame | None:
    return ledger.standard("RosterChanges")


def retroactive_plan_changes(ledger: Ledger, year: int) -> set[str]:
    """Employees with a Retroactive Roster Change of their Royalty Plan dated in ``year`` (it replaces the terms
    from January; the adjustment it causes says so)."""
    changes = _changes(ledger)
    if changes is None or not len(changes) or "royalty_plan" not in changes.columns:
        return set()
    when = pd.to_datetime(changes["effective_from"], errors="coerce")
    retro = _text(_col(changes, "retroactive")).isin(["Yes", "是"])
    hit = changes[retro.to_numpy() & (when.dt.year == year).to_numpy() & _text(changes["royalty_plan"]).notna().to_numpy()]
    return set(_text(hit["employee_id"]).dropna())


@per_ledger
def compute_royalties(ledger: Ledger, period: str) -> RoyaltyResult:
    """Royalties for ``period`` from a Ledger (stacked department tables + standards): the library function.

    Employees of Roster departments with no rows in the ledger are "not computed" (see ``royalties``)."""
    return royalties(*_ledger_frames(ledger), period, departments=ledger_departments(ledger.tables),
                     absent_people=set(ledger.absent_people), pay_leavers_later=_pay_leavers_later(ledger),
                     changes=_changes(ledger), memo=ledger.memo)


def _pay_leavers_later(ledger: Ledger) -> bool:
    """The Thresholds option: receipts dated after a Leave Date still earn royalty."""
    return bool(ledger.threshold(PAY_LEAVERS_LATER))


#: R at the end of a month on given contributions, as integer cents by employee_id (``payouts`` uses it).
YtdFunction = Callable[[pd.DataFrame, int], pd.Series]


def ytd_function(ledger: Ledger, plan: pd.DataFrame | None = None, period: str | None = None) -> YtdFunction:
    """A function giving round(R) in cents per employee for any contribution rows and month, with the
    ledger's staff (as they stand in ``period``) and tiers and ``plan`` (default the ledger's Plan): what the
    payout ledger compares. With a period each month goes through ``ytd_cents`` on the ledger's memo, so the rows
    the payment schedule evaluated (a first close's opening months) are found, not evaluated again."""
    frames = _ledger_frames(ledger)
    roster, plans, tiers = frames[3], frames[4], frames[5]
    year, month = year_month(period) if period is not None else (None, 12)
    if year is None:  # no period: the Roster as it is, one segment per person
        staff = staff_plans(roster, plans, tiers, [])
    else:
        staff = staff_segments(roster, _changes(ledger), plans, tiers, year, month, [], memo=ledger.memo)
    tiers = tier_rows(versioned_tiers(tiers)) if year is not None else tiers
    targets = grouped_plan(employed_plan(frames[2], roster, year) if plan is None and year is not None else
                           frames[2] if plan is None else plan)

    def ytd(contrib: pd.DataFrame, month: int) -> pd.Series:
        if year is not None:  # through the ledger's memo: the payment schedule evaluated most months already
            got = ytd_cents(staff, contrib, targets, tiers, year, month, ledger.memo)
            return pd.Series(got["cents"].to_numpy(), index=got["employee_id"].to_numpy())
        lines, _ = evaluate(staff, contrib, targets, tiers, month)
        return pd.Series(cents(pd.Series(lines["ytd_royalty_exact"])), index=lines["employee_id"].to_numpy())

    return ytd


def ytd_contributions(ledger: Ledger, period: str) -> pd.DataFrame:
    """The weighted contributions Jan..period of ``period``'s year (``RoyaltyResult.contributions``'s
    columns), for any year the ledger's rolling registers hold (the prior year at a January close)."""
    year, month = year_month(period)
    frames = _ledger_frames(ledger)
    _, contrib, _ = _prepare(*frames[:2], *frames[3:], year, month, _pay_leavers_later(ledger), _changes(ledger),
                             ledger.memo)
    return contrib


def targets_plan(lines: pd.DataFrame, segments: pd.DataFrame | None = None) -> pd.DataFrame:
    """A Plan frame giving each employee's recorded YTD target (``ytd_target`` of stored royalty lines, with
    ``basis``) so ``evaluate`` at December reproduces those targets (a closed year's Plan): each recorded segment's
    target (``segments``: stored ``royalty_segments``) in its first month, so every segment of the year keeps its
    own target (docs/people.md); an employee without recorded segments, the whole target in January."""
    ind = lines["basis"].map(BASIS_INDICATOR)
    frame = pd.DataFrame({"employee_id": lines["employee_id"].astype("str"), "indicator": ind})
    for i, key in enumerate(MONTH_KEYS):
        frame[key] = pd.to_numeric(lines["ytd_target"], errors="coerce").fillna(0.0).to_numpy() if i == 0 else 0.0
    frame = frame[frame["indicator"].notna()].reset_index(drop=True)
    if segments is None or not len(segments):
        return frame
    seg = pd.DataFrame({"employee_id": segments["employee_id"].astype("str"),
                        "indicator": segments["basis"].map(BASIS_INDICATOR),
                        "m": pd.to_numeric(segments["seg_from"], errors="coerce"),
                        "target": pd.to_numeric(segments["ytd_target"], errors="coerce").fillna(0.0)})
    seg = seg[seg["indicator"].notna() & seg["m"].between(1, 12)]
    if not len(seg):
        return frame
    grid = seg.pivot_table(index=["employee_id", "indicator"], columns="m", values="target", aggfunc="sum",
                           fill_value=0.0).reindex(columns=range(1, 13), fill_value=0.0)
    grid.columns = list(MONTH_KEYS)
    rest = frame[~frame["employee_id"].isin(set(seg["employee_id"]))]
    return pd.concat([rest, grid.reset_index()], ignore_index=True)


def payments_of_months(ledger: Ledger, period: str, months: Collection[int]) -> pd.DataFrame:
    """``monthly_payments`` of only ``months`` of ``period``'s year (not memoised): the report's year-on-year
    Profit needs last year's royalties of one or two months, not its whole schedule."""
    schedule = payment_schedule(*_ledger_frames(ledger), period, _pay_leavers_later(ledger), _changes(ledger),
                                months=months, memo=ledger.memo)
    return schedule[["employee_id", "month", "royalty"]]


@per_ledger
def monthly_payments(ledger: Ledger, period: str) -> pd.DataFrame:
    """Royalty payments (employee_id, month, royalty) for Jan..period; feeds Profit and the fund demand."""
    schedule = payment_schedule(*_ledger_frames(ledger), period, _pay_leavers_later(ledger), _changes(ledger),
                                memo=ledger.memo)
    return schedule[["employee_id", "month", "royalty"]]
