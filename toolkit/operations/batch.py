"""Run one job per item (a statement, a performance file), a few at a time, where one failure never stops the rest."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar
from ..errors import ToolkitError

T = TypeVar("T")
R = TypeVar("R")

#: Jobs at the same time when each prints a PDF (one headless Chromium process per print).
PDF_JOBS = 2


def each(items: Sequence[T], work: Callable[[T], R], jobs: int = 1) -> Iterator[tuple[T, R | None, Exception | None]]:
    """``(item, result, None)`` or ``(item, None, error)`` for every item, in order; ``jobs`` threads at most.

    Threads suit jobs that wait on a child process (Chromium); pure-Python work gains nothing from them.
    """

    def one(item: T) -> tuple[T, R | None, Exception | None]:
        try:
            return item, work(item), None
        except Exception as exc:  # one bad record never stops the others
            return item, None, exc

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        yield from pool.map(one, items)


def error_text(exc: BaseException | None) -> tuple[str, str]:
    """What went wrong, in English and Chinese: a ToolkitError's message, else the exception's type and text."""
    if isinstance(exc, ToolkitError):
        return exc.message(), exc.message("zh")
    detail = f"{type(exc).__name__}: {exc}"
    return detail, detail
