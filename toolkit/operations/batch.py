"""Run one job per item (a statement, a performance file), a few at a time, where one failure never stops the rest."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from ..errors import ToolkitError

T = TypeVar("T")
R = TypeVar("R")


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


def pdf_done(queued: tuple[T, tuple[list[Path], Future[Path] | None] | None, Exception | None]
             ) -> tuple[T, list[Path] | None, Exception | None]:
    """An item whose files were written and whose PDF was queued (``report.pdf_batch.PdfBatch``): all its files
    once the PDF has printed; or the error, its other files removed (a person's files are written whole or not
    at all)."""
    item, res, exc = queued
    if res is None:
        return item, None, exc
    paths, pdf = res
    if pdf is None:
        return item, paths, None
    try:
        return item, [*paths, pdf.result()], None
    except Exception as err:  # this person's PDF failed: the others are still written
        for path in paths:
            path.unlink(missing_ok=True)
        return item, None, err


def error_text(exc: BaseException | None) -> tuple[str, str]:
    """What went wrong, in English and Chinese: a ToolkitError's message, else the exception's type and text."""
    if isinstance(exc, ToolkitError):
        return exc.message(), exc.message("zh")
    detail = f"{type(exc).__name__}: {exc}"
    return detail, detail
