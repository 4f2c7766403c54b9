"""Ribbon macros: Python functions that take a workbook (default ``xw.Book.caller()``).

The add-in's buttons call these by name through xlwings' RunPython; ``NAMES`` lists them in ribbon order.
"""

NAMES: tuple[str, ...] = (
    "validate",
    "royalties",
    "completion",
    "funds",
    "monthly_report",
    "consolidate_folder",
    "approve_selection",
    "reject_selection",
    "new_template",
)
