"""Money leaving the toolkit (DOMAIN.md, "Money leaving the toolkit"; docs/finance.md): pure rules.

- **Manual adjustments** (standards sheet Adjustments): the rows of a period become ledger entries of their own,
  signed by their kind (Bonus and Draw paid, Penalty and Draw Recovery deducted, Correction as written). They
  never enter the royalty computation. A draw's **balance** is Σ draws − Σ recoveries recorded so far.
- **Pay lines**: what a close pays, one row per person and pay item (royalty payment, royalty adjustment,
  prior-year adjustment, floating pay, each manual kind) with a stable line ID; zero lines are left out.
- **Payroll map**: each pay item's payroll code and accounts; finance's column layout comes from a layout
  (``PAYROLL_LAYOUT`` rows), never from code.
- **Reimbursement batch**: approved, unpaid expense claims and loan slips, advances outstanding offset against
  claims when the Thresholds' ``Offset Advances`` is 1.
- **Accrual journal**: a debit and a credit line per cost centre and pay item for what the close recorded.
- **Control totals**: every file's total reconciles to the close to the cent, computed independently.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..schema import enums as E
from .royalties import cents

#: Pay items in payroll order (the enumeration's codes).
PAY_ITEMS = tuple(E.PAY_ITEM.values)
#: Manual adjustment kinds and the sign they pay with (0: as written).
KIND_SIGN = {"Bonus": 1, "Penalty": -1, "Draw": 1, "Draw Recovery": -1, "Correction": 0}
#: Reimbursement batch items (codes; labels in ``toolkit.outputs.labels``).
CLAIM, ADVANCE, OFFSET = "Expense Claim", "Advance", "Advance Offset"
#: Close states, in order.
STATES = ("computed", "approved", "exported", "paid")
#: Layout fields (``E.PAYROLL_FIELD`` codes) -> the pay line's column.
FIELD_COLUMNS = {
    "Line ID": "line_id", "Employee ID": "employee_id", "Name": "name", "Department": "department",
    "Cost Centre": "cost_centre", "Pay Item": "pay_item", "Payroll Code": "payroll_code", "Amount": "amount",
    "Period": "period", "Debit Account": "debit_account", "Credit Account": "credit_account",
    "Paid Date": "paid_date",
}
#: Pay line columns.
LINE_COLUMNS = ("line_id", "employee_id", "name", "department", "cost_centre", "pay_item", "amount", "period")


def _money(c: np.ndarray) -> np.ndarray:
    return np.asarray(c, dtype="int64") / 100


def signed_amounts(kind: pd.Series, amount: pd.Series) -> np.ndarray:
    """Adjustment amounts in cents, signed by their kind (``KIND_SIGN``)."""
    c = np.asarray(cents(pd.to_numeric(amount, errors="coerce").fillna(0.0)), dtype="int64")
    sign = kind.map(KIND_SIGN).fillna(0).astype("int64").to_numpy()
    return np.where(sign == 0, c, sign * np.abs(c))


def manual_entries(adjustments: pd.DataFrame | None, period: str, people: pd.DataFrame | None) -> pd.DataFrame:
    """The Adjustments rows of ``period`` as ledger entries: employee_id, name, department, year, period, kind,
    amount (signed, money), reason, approved_by, source_row. ``people``: the Roster (name, department)."""
    cols = ["employee_id", "name", "department", "year", "period", "kind", "amount", "reason", "approved_by",
            "source_row"]
    if adjustments is None or not len(adjustments):
        return pd.DataFrame(columns=cols)
    month = pd.to_datetime(adjustments["period"], errors="coerce").dt.strftime("%Y-%m")
    rows = adjustments[(month == period).to_numpy(dtype=bool) & adjustments["kind"].isin(KIND_SIGN).to_numpy(bool)
                       & adjustments["employee_id"].notna().to_numpy(bool)]
    if not len(rows):
        return pd.DataFrame(columns=cols)
    emp = rows["employee_id"].astype(str).str.strip().to_numpy()
    info = (people.assign(employee_id=people["employee_id"].astype(str).str.strip()).drop_duplicates("employee_id")
            .set_index("employee_id") if people is not None and len(people) else pd.DataFrame(
                columns=["name", "department"]))
    return pd.DataFrame({
        "employee_id": emp,
        "name": pd.Series(emp).map(info["name"] if "name" in info else {}).astype(object).to_numpy(),
        "department": pd.Series(emp).map(info["department"] if "department" in info else {}).astype(object)
        .to_numpy(),
        "year": int(period[:4]), "period": period, "kind": rows["kind"].astype(str).to_numpy(),
        "amount": _money(signed_amounts(rows["kind"].astype(str), rows["amount"])),
        "reason": rows["reason"].astype(object).to_numpy(), "approved_by": rows["approved_by"].astype(object)
        .to_numpy(), "source_row": rows["_row"].astype("Int64").to_numpy() if "_row" in rows else None,
    })


def draw_balance(entries: pd.DataFrame) -> pd.Series:
    """Draw balance per employee (Σ Draw − Σ Draw Recovery, money) over manual entries (recorded ones and this
    close's)."""
    if entries is None or not len(entries):
        return pd.Series(dtype="float64")
    draws = entries[entries["kind"].isin(("Draw", "Draw Recovery"))]
    if not len(draws):
        return pd.Series(dtype="float64")
    c = pd.Series(cents(draws["amount"]), index=draws["employee_id"].astype(str).to_numpy())
    return c.groupby(level=0).sum() / 100


def line_id(period: str, employee_id: str, item: str) -> str:
    """A pay line's ID: period, employee and pay item (stable across re-exports)."""
    return f"{period}/{employee_id}/{item.replace(' ', '-').lower()}"


def pay_lines(period: str, payments: pd.DataFrame, manual: pd.DataFrame,
              cost_centres: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per person and pay item of a close (``LINE_COLUMNS``), zero amounts left out.

    ``payments``: the close's recorded payment rows (openings are not paid by it); ``manual``: its manual
    entries; ``cost_centres``: employee -> cost centre (else the department)."""
    parts = []
    pay = payments[payments["entry"] != "opening"] if len(payments) else payments
    if len(pay):
        roy = pay[(pay["kind"] == "royalty") & (pay["entry"] == "payment")]
        prior = pay[(pay["kind"] == "royalty") & (pay["entry"] == "prior-year")]
        flo = pay[pay["kind"] == "floating"]
        for frame, col, item in ((roy, "regular", "Royalty Payment"), (roy, "adjustment", "Royalty Adjustment"),
                                 (prior, "amount", "Prior-Year Adjustment"), (flo, "amount", "Floating Pay")):
            if len(frame):
                parts.append(pd.DataFrame({"employee_id": frame["employee_id"].astype(str).to_numpy(),
                                           "name": frame["name"].to_numpy(dtype=object),
                                           "department": frame["department"].to_numpy(dtype=object),
                                           "pay_item": item, "c": cents(frame[col])}))
    if manual is not None and len(manual):
        parts.append(pd.DataFrame({"employee_id": manual["employee_id"].astype(str).to_numpy(),
                                   "name": manual["name"].to_numpy(dtype=object),
                                   "department": manual["department"].to_numpy(dtype=object),
                                   "pay_item": manual["kind"].to_numpy(dtype=object), "c": cents(manual["amount"])}))
    if not parts:
        return pd.DataFrame(columns=list(LINE_COLUMNS))
    lines = pd.concat(parts, ignore_index=True)
    lines = (lines.groupby(["employee_id", "pay_item"], sort=False, as_index=False)
             .agg(name=("name", "first"), department=("department", "first"), c=("c", "sum")))
    lines = lines[lines["c"] != 0].copy()
    lines["order"] = lines["pay_item"].map({k: i for i, k in enumerate(PAY_ITEMS)})
    lines = lines.sort_values(["employee_id", "order"], kind="stable").reset_index(drop=True)
    centres = cost_centres or {}
    lines["cost_centre"] = [centres.get(e) or d for e, d in zip(lines["employee_id"], lines["department"])]
    lines["amount"] = lines["c"] / 100
    lines["period"] = period
    lines["line_id"] = [line_id(period, e, i) for e, i in zip(lines["employee_id"], lines["pay_item"])]
    return lines[list(LINE_COLUMNS)]


def close_total(payments: pd.DataFrame, manual: pd.DataFrame) -> float:
    """What the close pays (money): Σ recorded payments (openings excluded) + Σ manual entries, summed in cents
    from the ledger's own rows (the files' totals are checked against it)."""
    pay = payments[payments["entry"] != "opening"] if len(payments) else payments
    total = int(cents(pay["amount"]).sum()) if len(pay) else 0
    total += int(cents(manual["amount"]).sum()) if manual is not None and len(manual) else 0
    return total / 100


@dataclass
class PayrollMap:
    """Each pay item's payroll code and accounts (the standards' Payroll Map)."""

    codes: dict[str, str] = field(default_factory=dict)
    debit: dict[str, str] = field(default_factory=dict)
    credit: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame | None) -> PayrollMap:
        """From the PayrollMap table (rows without a known pay item or code are ignored)."""
        out = cls()
        if frame is None or not len(frame):
            return out
        for r in frame.to_dict("records"):
            item = r.get("pay_item")
            if not isinstance(item, str) or item not in PAY_ITEMS:
                continue
            for target, key in ((out.codes, "payroll_code"), (out.debit, "debit_account"),
                                (out.credit, "credit_account")):
                value = r.get(key)
                if isinstance(value, str) and value.strip():
                    target[item] = value.strip()
        return out

    def missing(self, items: Iterable[str], accounts: bool = False) -> list[str]:
        """Pay items among ``items`` without a payroll code (or, with ``accounts``, without both accounts)."""
        out = []
        for item in dict.fromkeys(items):
            if item not in self.codes or (accounts and (item not in self.debit or item not in self.credit)):
                out.append(item)
        return out

    def apply(self, lines: pd.DataFrame) -> pd.DataFrame:
        """``lines`` with payroll_code, debit_account and credit_account."""
        return lines.assign(payroll_code=lines["pay_item"].map(self.codes).astype(object),
                            debit_account=lines["pay_item"].map(self.debit).astype(object),
                            credit_account=lines["pay_item"].map(self.credit).astype(object))


@dataclass(frozen=True)
class LayoutColumn:
    """One column of finance's file: its header and either a field of the pay line or a constant value."""

    header: str
    field: str | None = None
    value: str | None = None


def lay_out(lines: pd.DataFrame, columns: Sequence[LayoutColumn]) -> pd.DataFrame:
    """The pay lines in finance's columns (headers as the layout writes them; constants repeated)."""
    out = {}
    for col in columns:
        if col.field is not None:
            out[col.header] = lines[FIELD_COLUMNS[col.field]].to_numpy(dtype=object) if len(lines) else []
        else:
            out[col.header] = [col.value or ""] * len(lines)
    return pd.DataFrame(out, columns=[c.header for c in columns])


def reimbursement_batch(period: str, expenses: pd.DataFrame, advances: pd.DataFrame, *, paid: Collection[str] = (),
                        since: str | None = None, offset_before: dict[str, float] | None = None,
                        offset: bool = True, people: pd.DataFrame | None = None) -> pd.DataFrame:
    """The reimbursement batch of ``period``: one row per approved claim or loan slip to pay, and one offset row
    per employee whose advances outstanding are set against their claims (when ``offset``).

    Approved claims and slips dated from ``since`` (the period of the first batch; default ``period``: what came
    before the toolkit's first batch was settled outside it) to the end of ``period``, not confirmed paid (``paid``:
    references). Advances outstanding = Σ (Amount − Repaid) of approved slips dated before ``period``, less the
    offsets of earlier batches confirmed paid (``offset_before``), floored at 0; the offset is at most the
    employee's claims in the batch. Columns: line_id, reference, employee_id, name, department, pay_item,
    document, date, amount."""
    cols = ["line_id", "reference", "employee_id", "name", "department", "pay_item", "document", "date", "amount"]
    start = pd.Timestamp(f"{period}-01")
    end = start + pd.offsets.MonthBegin(1)
    first = pd.Timestamp(f"{min(since, period) if since else period}-01")
    parts = []
    for frame, key, item, prefix in ((expenses, "claim_no", CLAIM, "EXP"), (advances, "slip_no", ADVANCE, "ADV")):
        if frame is None or not len(frame):
            continue
        approval = frame["approval"] if "approval" in frame.columns else pd.Series(pd.NA, index=frame.index)
        # older Advances sheets have no Approval column: a slip there counts as approved (it was paid out)
        ok = (approval == "Approved") | (approval.isna() if item == ADVANCE else False)
        dates = pd.to_datetime(frame["date"], errors="coerce")
        ref = (prefix + "/" + frame["department"].astype(str) + "/" + frame[key].astype(str).str.strip())
        due = (dates >= first) & (dates < end)
        pick = (ok.fillna(False).astype(bool) & due & ~ref.isin(set(paid))).to_numpy(dtype=bool)
        rows = frame[pick]
        if not len(rows):
            continue
        parts.append(pd.DataFrame({"reference": ref[pick].to_numpy(), "employee_id": rows["employee_id"].astype(str)
                                   .str.strip().to_numpy(), "department": rows["department"].to_numpy(dtype=object),
                                   "pay_item": item, "document": rows[key].astype(str).to_numpy(),
                                   "date": dates[pick].dt.strftime("%Y-%m-%d").to_numpy(),
                                   "c": cents(rows["amount"])}))
    batch = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["reference", "employee_id", "department", "pay_item", "document", "date", "c"])
    if offset and advances is not None and len(advances) and len(batch):
        approval = advances["approval"] if "approval" in advances.columns else pd.Series(pd.NA, index=advances.index)
        ok = ((approval == "Approved") | approval.isna()).fillna(False).astype(bool)
        dates = pd.to_datetime(advances["date"], errors="coerce")
        old = advances[(ok & (dates < start)).to_numpy(dtype=bool)]
        owed = pd.Series(cents(pd.to_numeric(old["amount"], errors="coerce").fillna(0)
                               - pd.to_numeric(old["repaid"], errors="coerce").fillna(0)),
                         index=old["employee_id"].astype(str).str.strip().to_numpy()).groupby(level=0).sum()
        before = {k: int(cents(pd.Series([v]))[0]) for k, v in (offset_before or {}).items()}
        claims = batch[batch["pay_item"] == CLAIM].groupby("employee_id")["c"].sum()
        rows = []
        for emp, claimed in claims.items():
            outstanding = max(0, int(owed.get(emp, 0)) - before.get(emp, 0))
            take = min(int(claimed), outstanding)
            if take > 0:
                dept = batch.loc[batch["employee_id"] == emp, "department"].iloc[0]
                rows.append({"reference": f"OFFSET/{period}/{emp}", "employee_id": emp, "department": dept,
                             "pay_item": OFFSET, "document": None, "date": None, "c": -take})
        if rows:
            batch = pd.concat([batch, pd.DataFrame(rows)], ignore_index=True)
    if not len(batch):
        return pd.DataFrame(columns=cols)
    batch["order"] = batch["pay_item"].map({CLAIM: 0, ADVANCE: 1, OFFSET: 2})
    batch = batch.sort_values(["employee_id", "order", "date", "document"], kind="stable",
                              na_position="last").reset_index(drop=True)
    names = ({} if people is None or not len(people) else
             dict(zip(people["employee_id"].astype(str).str.strip(), people["name"])))
    batch["name"] = batch["employee_id"].map(names).astype(object)
    batch["amount"] = batch["c"] / 100
    batch["line_id"] = [f"{period}/R/{r}" for r in batch["reference"]]
    return batch[cols]


def accrual_journal(lines: pd.DataFrame) -> pd.DataFrame:
    """Debit and credit lines per cost centre and pay item (``lines`` mapped: debit/credit accounts): the debit
    account takes the amount (a negative amount is credited), the credit account the opposite. Columns:
    cost_centre, pay_item, account, side, debit, credit."""
    cols = ["cost_centre", "pay_item", "account", "side", "debit", "credit"]
    if not len(lines):
        return pd.DataFrame(columns=cols)
    c = lines.assign(c=cents(lines["amount"]))
    g = (c.groupby(["cost_centre", "pay_item"], sort=False, as_index=False)
         .agg(c=("c", "sum"), debit_account=("debit_account", "first"), credit_account=("credit_account", "first")))
    g["order"] = g["pay_item"].map({k: i for i, k in enumerate(PAY_ITEMS)})
    g = g.sort_values(["cost_centre", "order"], kind="stable")
    rows = []
    for r in g.to_dict("records"):
        amount = int(r["c"])
        if amount == 0:
            continue
        pos, neg = max(amount, 0) / 100, max(-amount, 0) / 100
        rows.append({"cost_centre": r["cost_centre"], "pay_item": r["pay_item"], "account": r["debit_account"],
                     "side": "debit", "debit": pos, "credit": neg})
        rows.append({"cost_centre": r["cost_centre"], "pay_item": r["pay_item"], "account": r["credit_account"],
                     "side": "credit", "debit": neg, "credit": pos})
    return pd.DataFrame(rows, columns=cols)


def state_of(events: Sequence[dict[str, Any]]) -> str:
    """A close's state from its events (the furthest reached)."""
    reached = {e["state"] for e in events}
    return next((s for s in reversed(STATES) if s in reached), "computed")


def _sum(values: Any) -> int:
    return int(np.asarray(cents(values), dtype="int64").sum()) if len(values) else 0


def reconcile(expected: float, amounts: pd.Series) -> tuple[float, float, bool]:
    """(expected, file total, reconciled): the file's lines summed in cents against the close's total."""
    got = _sum(amounts)
    return expected, got / 100, got == int(cents(pd.Series([expected]))[0])
