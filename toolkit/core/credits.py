"""Who gets credit for a contract and its receipts: split shares applied (DOMAIN.md, "Actuals").

A contract with a Split credits ``split_share`` to the split employee and the rest to the owner,
for every measure. Royalties, completion and profit all start from these credited rows.
"""

from __future__ import annotations

import pandas as pd


def contract_credits(contracts: pd.DataFrame) -> pd.DataFrame:
    """One row per (contract, credited employee) with ``share``; owner gets 1 − split share.

    Keeps every contract column; ``employee_id`` becomes the credited employee and ``role`` says
    ``owner`` or ``split``. Contracts without a valid split give one owner row with share 1.
    """
    c = contracts
    share = pd.to_numeric(c["split_share"], errors="coerce").astype("float64")
    has_split = c["split_employee_id"].notna() & (c["split_employee_id"].astype("str").str.len() > 0) & share.gt(0)
    split_share = share.where(has_split, 0.0).clip(upper=1.0)
    owner = c.assign(share=1.0 - split_share, role="owner")
    split = c[has_split].assign(
        employee_id=c.loc[has_split, "split_employee_id"], share=split_share[has_split], role="split"
    )
    out = pd.concat([owner, split], ignore_index=True)
    return out[out["share"] > 0].reset_index(drop=True)


def collection_credits(collections: pd.DataFrame, contracts: pd.DataFrame,
                       credits: pd.DataFrame | None = None) -> pd.DataFrame:
    """Receipts joined to their contracts' credits: one row per (receipt, credited employee).

    ``credited`` = receipt amount × share. Receipts whose contract is unknown are dropped here;
    validation reports them (``unknown-contract``) so they are never silently lost. ``credits``:
    ``contract_credits(contracts)`` when the caller has it already (the royalties' signed basis).
    """
    credits = (contract_credits(contracts) if credits is None else credits)[
        ["contract_no", "employee_id", "share", "role", "product_line", "sign_date"]
    ]
    merged = collections.merge(credits, on="contract_no", how="inner", suffixes=("", "_contract"))
    return merged.assign(credited=merged["amount"] * merged["share"])
