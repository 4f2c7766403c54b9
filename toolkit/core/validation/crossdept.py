"""The rule across departments: a contract number in two departments' workbooks (paid twice otherwise)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def contracts_in_two_departments(shared: Iterable[tuple[str, int, int]], order: Mapping[int, int]
                                 ) -> list[tuple[str, int, int, int, int]]:
    """Each later occurrence of a contract number already in an earlier workbook.

    ``shared`` holds (contract number, workbook id, row); ``order`` gives each workbook's place. Numbers
    compare trimmed and case-insensitively; repeats inside one workbook are its own ``duplicate-key``
    errors and are not reported here. Returns (number, workbook, row, first workbook, first row).
    """
    first: dict[str, tuple[int, int]] = {}
    out: list[tuple[str, int, int, int, int]] = []
    for value, wid, row in sorted(shared, key=lambda x: (order[x[1]], x[2])):
        key = value.strip().lower()
        if key not in first:
            first[key] = (wid, row)
            continue
        wid0, row0 = first[key]
        if wid0 != wid:
            out.append((value, wid, row, wid0, row0))
    return out
