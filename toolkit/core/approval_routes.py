"""Who decides an approval item, and what state it is in (DOMAIN.md, "Approvals").

Pure functions. An item's **route** is ``director``, ``gm`` or an employee ID: forwarded items and items
above the GM threshold go to the general manager; otherwise the Roster's **Approver** of the item's employee
(GM, Director or an employee ID) decides, else the director. A dated **delegation** (the standards'
Delegations) lets a delegate decide for an approver who is away. An item's **state** (pending, returned,
resubmitted, forwarded, approved, rejected) comes from the history store's record of it; a returned item whose
row changed comes back *resubmitted*, with the changes in words.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..i18n import register, t
from ..schema import DEPARTMENT
from ..schema.enums import YES_NO
from .workdays import Calendar
from ..money import fmt_money

#: What the Roster's Approver and the Delegations' Approver accept for the two roles (any case, either language).
ROLE_WORDS = {"director": ("director", "总监"), "gm": ("gm", "general manager", "总经理")}
ROLES = ("director", "gm")
STATES = ("pending", "returned", "resubmitted", "forwarded", "approved", "rejected")
#: The state a decision leaves an item in.
DECIDED_STATE = {"Approve": "approved", "Exception": "approved", "Reject": "rejected", "Return": "returned",
                 "Forward": "forwarded"}

register({"approval.change": ("{column}: {old} → {new}", "{column}：{old} → {new}")})


def approver_key(value: Any) -> str | None:
    """``director``, ``gm`` or an employee ID (stripped) from a Roster/Delegations Approver cell; None if blank."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    if not text or text.casefold() == "nan":
        return None
    for role, words in ROLE_WORDS.items():
        if text.casefold() in words:
            return role
    return text


def overrides(roster: pd.DataFrame) -> dict[str, str]:
    """Employee ID → the approver key the Roster names for their items (only where one is named)."""
    if "approver" not in roster:
        return {}
    out = {}
    for emp, value in zip(roster["employee_id"], roster["approver"]):
        key = approver_key(value)
        if key is not None and pd.notna(emp):
            out[str(emp)] = key
    return out


def delegations(table: pd.DataFrame | None, day: dt.date) -> dict[str, str]:
    """Approver key → delegate employee ID, for the delegations in force on ``day`` (From and To included;
    the latest-starting row wins when two overlap)."""
    if table is None or not len(table):
        return {}
    rows = table.dropna(subset=["approver", "delegate_id", "start", "end"]).sort_values("start", kind="stable")
    stamp = pd.Timestamp(day)
    out = {}
    for who, delegate, start, end in zip(rows["approver"], rows["delegate_id"], rows["start"], rows["end"]):
        key = approver_key(who)
        if key is not None and pd.Timestamp(start) <= stamp <= pd.Timestamp(end):
            out[key] = str(delegate).strip()
    return out


def route(employee: Any, amount: Any, state: str, overrides_: Mapping[str, str], limit: float,
          approver_id: str | None = None) -> str:
    """Who decides one item: ``gm`` when forwarded or above ``limit``; else the Roster's override; else the
    director — except the director's own item (``approver_id`` is the employee), which goes to the GM."""
    emp = None if employee is None or (isinstance(employee, float) and pd.isna(employee)) else str(employee)
    if state == "forwarded" or (amount is not None and pd.notna(amount) and float(amount) > limit):
        return "gm"
    if emp is not None and emp in overrides_:
        return overrides_[emp]
    if approver_id and emp == approver_id:
        return "gm"
    return "director"


def decides_for(route_: str, role: str, approver_id: str | None, delegated: Mapping[str, str]) -> tuple[bool, str | None]:
    """Whether the queue's person (``role``, ``approver_id``) decides an item routed to ``route_``, and on whose
    behalf (the approver who delegated to them), or (False, None)."""
    if approver_id and delegated.get(route_) == approver_id:
        return True, route_
    if route_ == role or (approver_id and route_ == approver_id):
        return True, None
    return False, None


def route_code(text: Any) -> str | None:
    """A queue's Route or On Behalf Of cell back as ``director``/``gm`` (given as the code) or the employee ID
    in "Name (ID)"; None when blank."""
    if text is None or (isinstance(text, float) and pd.isna(text)) or not str(text).strip():
        return None
    value = str(text).strip()
    m = re.search(r"\(([^()]+)\)\s*$", value)
    return m.group(1).strip() if m else value


def item_values(record: Mapping[str, Any], kind: str, fields: Iterable[str]) -> dict[str, str]:
    """An item's own values as text (dates ISO, numbers with two decimals): what a change is measured against."""
    out = {}
    for key in fields:
        v = record.get(key)
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            out[key] = ""
        elif isinstance(v, (pd.Timestamp, dt.date)):
            out[key] = pd.Timestamp(v).date().isoformat()
        elif isinstance(v, (bool, np.bool_)):
            out[key] = "Yes" if v else "No"
        elif isinstance(v, (int, float, np.number)):
            out[key] = fmt_money(float(v), grouped=True)
        else:
            out[key] = str(v)
    return out


def changes(old: Mapping[str, str], new: Mapping[str, str], kind: str, lang: str) -> str:
    """What changed between two ``item_values``, one line per column, in ``lang``."""
    table = DEPARTMENT.table(kind)
    lines = []
    for key, value in new.items():
        if key in old and old[key] != value:
            column = table.column(key)
            lines.append(t("approval.change", lang, column=column.label(lang), old=_shown(column, old[key], lang),
                           new=_shown(column, value, lang)))
    return "\n".join(lines)


def _shown(column: Any, value: str, lang: str) -> str:
    """A stored item value as ``lang`` shows it: an enumeration's or a Yes/No column's word in that language (the
    store keeps the English code: "有票据：否 → 是", not "No → Yes"), a blank as a dash."""
    if not value:
        return "—"
    enum = column.enum or (YES_NO if value in YES_NO.values else None)
    return enum.label(value, lang) if enum is not None else value


def state_now(stored: Mapping[str, Any] | None, row_hash: str) -> str:
    """The state of a pending row from its stored record: new rows are pending; a returned row whose hash changed
    is resubmitted; a stored decision the workbook does not show (it went into a copy) leaves it pending."""
    if stored is None:
        return "pending"
    state = str(stored.get("state") or "pending")
    if state == "returned" and stored.get("row_hash") and stored.get("row_hash") != row_hash:
        return "resubmitted"
    if state in ("approved", "rejected"):
        return "pending"
    return state


def working_age(start: Iterable[Any], today: dt.date, holidays: pd.DataFrame | None) -> np.ndarray:
    """Working days from each start date to ``today`` (the start day excluded; NaN where no date)."""
    cal = Calendar.from_table(holidays)
    starts = pd.to_datetime(pd.Series(list(start), dtype="object")).dt.normalize()
    out = np.full(len(starts), np.nan)
    ok = starts.notna().to_numpy()
    if ok.any():
        nxt = (starts[ok] + pd.Timedelta(days=1)).to_numpy(dtype="datetime64[D]")
        end = np.datetime64(today, "D")
        out[ok] = np.nan_to_num(cal.working_days(nxt, np.full(len(nxt), end)), nan=0.0)
    return out
