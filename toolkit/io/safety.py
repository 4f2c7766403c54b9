"""Refuse files we cannot read with one clear message, and read the rest without risking the process.

Two layers (IO-FACTS.md, "Hazards"):

1. ``check_file`` — cheap pre-checks before any parser sees the file: name (lock files), existence,
   extension (.xlsx/.xlsm, and .xls/.xlsb/.ods since issue 14), signature (OLE = encrypted or legacy
   .xls), zip directory (entry count, declared sizes, compression ratio) and the sheets' ``<dimension>``.
   Files Excel opens without a word are read from a repaired private temporary copy (``repair.py``):
   encrypted only with Excel's default password, backslash part names, absurd sharedStrings counts.
2. ``run_isolated`` — on Linux the parse itself runs in a forked child with an address-space limit,
   so an abort inside the Rust reader (which ``try/except`` cannot catch) costs a child process and
   becomes a ``ToolkitError``, not a dead batch. Elsewhere (no ``fork``, or ``TOOLKIT_READ_ISOLATION=0``)
   the parse runs in-process behind the pre-checks.

Every limit is counted in work — parts, bytes, cells (``MAX_CELLS`` per sheet, checked on the declared
``<dimension>`` before the parse and on the parsed range before its cells become Python values) — or in
memory, never in seconds, so a file reads the same on a quiet and on a busy machine (issue 21); a limit
reached is a ``read.too-large`` message naming the file and the limit. The one clock is a watchdog against
a parser that hangs (``TIMEOUT_BASE`` + ``TIMEOUT_PER_MB``): generous enough that no file that parses at
all ever reaches it, even on a heavily loaded machine.
"""

from __future__ import annotations

import dataclasses
import faulthandler
import gc
import hashlib
import math
import os
import pickle
import select
import signal
import tempfile
import threading
import time
import zipfile
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ..errors import ToolkitError
from ..i18n import register
from . import xlsx_scan, repair
from .extent import stray_cells
from ..runtime import forks, lite

register(
    {
        "read.missing": ("{file}: file not found.", "{file}：找不到文件。"),
        "read.directory": ("{file}: is a folder, not a workbook.", "{file}：这是文件夹，不是工作簿。"),
        "read.empty": ("{file}: the file is empty (0 bytes).", "{file}：文件为空（0 字节）。"),
        "read.lock-file": (
            "{file}: is a lock file that Excel or LibreOffice keeps while a workbook is open, not a workbook; "
            "read the workbook itself.",
            "{file}：这是 Excel 或 LibreOffice 在打开工作簿时生成的锁定文件，不是工作簿；请读取工作簿本身。",
        ),
        "read.unsupported-format": (
            "{file}: {format} files are not supported; open it in Excel and save it as .xlsx.",
            "{file}：不支持{format_zh}文件；请在 Excel 中打开并另存为 .xlsx。",
        ),
        "read.not-spreadsheet": (
            "{file}: is not an Excel workbook (.xlsx); open it in Excel and save it as .xlsx.",
            "{file}：不是 Excel 工作簿（.xlsx）；请在 Excel 中打开并另存为 .xlsx。",
        ),
        "read.encrypted": (
            "{file}: the workbook is password-protected; remove the password in Excel and save it as .xlsx.",
            "{file}：工作簿设有打开密码；请在 Excel 中取消密码后另存为 .xlsx。",
        ),
        "read.name-not-text": (
            "{file}: the file's name is not text (saved in another encoding, as some unzip tools do); rename the "
            "file and run again.",
            "{file}：文件名不是有效文本（以其他编码保存，某些解压工具会如此）；请重命名该文件后重新运行。",
        ),
        "read.corrupt": (
            "{file}: the workbook is damaged and cannot be read; open it in Excel and save it again.",
            "{file}：工作簿已损坏，无法读取；请在 Excel 中打开并重新保存。",
        ),
        "read.too-large": (
            "{file}: the workbook is too large to read safely ({detail}).",
            "{file}：工作簿过大，无法安全读取（{detail_zh}）。",
        ),
        "read.stray-cells": (
            "{file}: sheet '{sheet}' has a value in {cell}, far beyond its table ({extent}){more}; the reader would have "
            "to hold the whole range up to it. Delete that value (select the rows or columns beyond the table and "
            "delete them) and save.",
            "{file}：工作表“{sheet}”在 {cell} 有一个值，远在表格（{extent}）之外{more_zh}；读取时须载入直到该单元格的整个区域。"
            "请删除该值（选中表格之外的行或列并删除）后保存。",
        ),
        "read.old-excel": (
            "{file}: is an Excel {version} worksheet (a format of 1987-1992); the toolkit reads Excel 97 and later: "
            "open it in Excel or LibreOffice and save it as .xlsx.",
            "{file}：这是 Excel {version} 工作表（1987-1992 年的格式）；本工具读取 Excel 97 及以后的格式：请用 Excel 或 "
            "LibreOffice 打开并另存为 .xlsx。",
        ),
        "read.xls-default-password": (
            "{file}: an Excel 5.0/95 workbook protected only with Excel's default password (Excel opens it without "
            "asking); the toolkit cannot decrypt this old format: open it in Excel and save it as .xlsx.",
            "{file}：这是仅用 Excel 默认密码保护的 Excel 5.0/95 工作簿（Excel 打开时不询问密码）；本工具无法解密这种旧格式："
            "请在 Excel 中打开并另存为 .xlsx。",
        ),
        "read.xls-undecodable": (
            "{file}: an Excel {version} workbook the reader cannot decode ({detail}); Excel or LibreOffice may open it: "
            "open it there and save it as .xlsx.",
            "{file}：这是本工具无法解析的 Excel {version} 工作簿（{detail}）；Excel 或 LibreOffice 可能可以打开：请在其中打开并"
            "另存为 .xlsx。",
        ),
        "read.timeout": (
            "{file}: reading took longer than {seconds} s and was stopped; the workbook may be damaged.",
            "{file}：读取超过 {seconds} 秒已停止；工作簿可能已损坏。",
        ),
    }
)

#: Extensions we read (python-calamine decodes all five). Everything else is refused with "save it as .xlsx".
SUPPORTED = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
_FORMAT_NAMES = {
    ".xls": ("Excel 97-2003 (.xls)", "Excel 97-2003（.xls）"),
    ".xlsb": ("Excel binary (.xlsb)", "Excel 二进制（.xlsb）"),
    ".ods": ("OpenDocument (.ods)", "OpenDocument（.ods）"),
    ".csv": ("CSV (.csv)", "CSV（.csv）"),
}

# Limits of the pre-checks. A department workbook is a few MB; these leave two orders of magnitude.
MAX_ENTRIES = 10_000
MAX_UNCOMPRESSED = 2 * 1024**3  # all parts together, as declared
MAX_RATIO = 250  # compression ratio of one part bigger than RATIO_FLOOR
RATIO_FLOOR = 8 * 1024**2
MAX_CELLS = 25_000_000  # the dense grid a sheet's <dimension> asks the reader to allocate

# Budgets of the isolated parse.
MEMORY_BASE = 1024**3  # bytes of address space the child may add...
MEMORY_PER_BYTE = 30  # ...plus this many per uncompressed byte of the package...
MEMORY_SHARE = 0.5  # ...and never more than this share of the machine's memory (issue 22: not the file's say-so)
# The last-resort watchdog against a hung parser, not a limit on normal files: about 100x what a read takes
# on a quiet machine (a 30 MB package reads in ~3 s), so load never decides what a file means.
TIMEOUT_BASE = 300.0  # seconds...
TIMEOUT_PER_MB = 30.0  # ...plus this many per uncompressed MB

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: The BOF record opening a BIFF2/3/4 worksheet stream (files of Excel 2.x-4.0, before the OLE container).
_OLD_BOF = {b"\x09\x00": "2.x", b"\x09\x02": "3.0", b"\x09\x04": "4.0"}


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed the pre-checks, with what the isolated parse should budget for."""

    path: Path  # what the parser opens: the file itself, or a repaired temporary copy (``temporary``)
    shown: str  # the path as the user gave it, for messages
    uncompressed: int  # declared bytes of all parts
    format: str = "xlsx"  # "xlsx" (also .xlsm), "xls", "xlsb" or "ods"
    temporary: bool = False  # ``path`` is a private copy to delete after the read
    repairs: tuple[str, ...] = ()  # what was repaired (``repair`` keys), reported as ``file-repaired`` info

    @property
    def timeout(self) -> float:
        """Seconds of the watchdog against a hung parse (never reached by a file that parses)."""
        return TIMEOUT_BASE + TIMEOUT_PER_MB * self.uncompressed / 1024**2

    @property
    def memory(self) -> int:
        """Bytes of address space the parse may add: sized to the file, capped by the machine (``machine_memory``)."""
        return min(MEMORY_BASE + MEMORY_PER_BYTE * self.uncompressed, max(MEMORY_BASE, machine_memory()))


def machine_memory() -> int:
    """``MEMORY_SHARE`` of the machine's physical memory (a large number where the platform does not say)."""
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") * MEMORY_SHARE)
    except (AttributeError, ValueError, OSError):
        return 1 << 62


def _format_label(ext: str) -> tuple[str, str]:
    if ext in _FORMAT_NAMES:
        return _FORMAT_NAMES[ext]
    label = f"{ext}" if ext else "(no extension)"
    return (label, label if ext else "（无扩展名）")


def is_lock_file(name: str) -> bool:
    """Excel's ``~$Book.xlsx`` and LibreOffice's ``.~lock.Book.xlsx#``."""
    return name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#"))


def check_file(path: str | os.PathLike[str], strict: bool | None = None) -> CheckedFile:
    """Raise ``ToolkitError`` naming the file unless it looks like an .xlsx/.xlsm we can read safely.

    ``strict`` (default: when the parse will not be isolated) also refuses sheets whose declared
    ``<dimension>`` is huge - some writers declare A1:XFD1048576 for a few cells, so with isolation
    the memory limit is trusted instead.
    """
    if strict is None:
        strict = not isolation_enabled()
    shown = str(path)
    p = Path(path)
    if is_lock_file(p.name):
        raise ToolkitError("read.lock-file", file=shown)
    if not p.exists():
        raise ToolkitError("read.missing", file=shown)
    if p.is_dir():
        raise ToolkitError("read.directory", file=shown)
    if not p.is_file():
        raise ToolkitError("read.not-spreadsheet", file=shown)
    ext = p.suffix.lower()
    if ext not in SUPPORTED:
        en, zh = _format_label(ext)
        raise ToolkitError("read.unsupported-format", file=shown, format=en, format_zh=zh)
    try:
        size = p.stat().st_size
        with open(p, "rb") as fh:
            magic = fh.read(8)
    except OSError as exc:
        raise ToolkitError("read.missing", file=shown) from exc
    if size == 0:
        raise ToolkitError("read.empty", file=shown)
    if magic == _OLE:
        return _check_ole(p, shown, size, strict)
    if magic[:2] in _OLD_BOF and magic[2:4] in (b"\x04\x00", b"\x06\x00"):
        raise ToolkitError("read.old-excel", file=shown, version=_OLD_BOF[magic[:2]])
    if not magic.startswith(b"PK"):
        raise ToolkitError("read.not-spreadsheet", file=shown)
    return _check_package(p, shown, strict)


def _check_package(p: Path, shown: str, strict: bool, repairs: tuple[str, ...] = (),
                   temporary: bool = False) -> CheckedFile:
    """The zip pre-checks; a package Excel opens after a harmless repair is checked again as its repaired copy."""
    fixes: tuple[str, ...] = ()
    try:
        with zipfile.ZipFile(p) as zf:
            fmt = _package_format(zf)
            fixes = repair.needed(zf) if fmt == "xlsx" else ()
            fixes = tuple(f for f in fixes if f not in repairs)
            if not fixes:
                uncompressed = _check_zip(zf, shown, strict, fmt)
    except ToolkitError:
        if temporary:
            p.unlink(missing_ok=True)
        raise
    except Exception as exc:  # zip, zlib and XML errors, defusedxml's entity refusals
        if temporary:
            p.unlink(missing_ok=True)
        raise ToolkitError("read.corrupt", file=shown) from exc
    if fixes:
        try:
            fixed = repair.repaired_copy(p, fixes)
        except Exception as exc:  # noqa: BLE001 - a package we cannot even rewrite is damaged
            raise ToolkitError("read.corrupt", file=shown) from exc
        finally:
            if temporary:
                p.unlink(missing_ok=True)
        return _check_package(fixed, shown, strict, repairs + fixes, True)
    return CheckedFile(p, shown, uncompressed, fmt, temporary, repairs)


def _package_format(zf: zipfile.ZipFile) -> str:
    """What a zip holds, whatever its extension says: an .xlsb's binary workbook, an OpenDocument, else xlsx."""
    names = {n.lower() for n in zf.namelist()}
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "mimetype" in names and "content.xml" in names:
        return "ods"
    return "xlsx"


def _check_ole(p: Path, shown: str, size: int, strict: bool) -> CheckedFile:
    """An OLE compound file: a legacy .xls (read as such, whatever its name), or an encrypted workbook, read
    only when Excel's default password opens it (Excel then opens it without asking either)."""
    kind = repair.ole_kind(p)
    if kind == "xls":
        return CheckedFile(p, shown, size, "xls")
    if kind == "encrypted":
        plain = repair.decrypt_default(p)
        if plain is None:
            raise ToolkitError("read.encrypted", file=shown)
        path, fmt = plain
        if fmt == "xls":
            return CheckedFile(path, shown, size, "xls", True, ("default-password",))
        return _check_package(path, shown, strict, ("default-password",), True)
    raise ToolkitError("read.not-spreadsheet", file=shown)


def _too_large(shown: str, en: str, zh: str) -> ToolkitError:
    return ToolkitError("read.too-large", file=shown, detail=en, detail_zh=zh)


def _check_zip(zf: zipfile.ZipFile, shown: str, strict: bool, fmt: str = "xlsx") -> int:
    """Zip-level and part-level pre-checks; returns the declared uncompressed size of all parts."""
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise _too_large(shown, f"{len(infos):,} parts; at most {MAX_ENTRIES:,} are read",
                         f"{len(infos):,} 个部件，上限为 {MAX_ENTRIES:,} 个")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise _too_large(shown, f"part {info.filename} expands {ratio}x; at most {MAX_RATIO}x is read",
                             f"部件 {info.filename} 解压后膨胀 {ratio} 倍，上限为 {MAX_RATIO} 倍")
    if total > MAX_UNCOMPRESSED:
        mb, most = total // 1024**2, MAX_UNCOMPRESSED // 1024**2
        raise _too_large(shown, f"{mb:,} MB uncompressed; at most {most:,} MB is read",
                         f"解压后 {mb:,} MB，上限为 {most:,} MB")
    if fmt != "xlsx":  # .xlsb and .ods: the zip-level limits above; the parse itself is isolated
        return total
    if xlsx_scan.workbook_member(zf) is None:
        names = {n.lower() for n in zf.namelist()}
        damaged = any(n.endswith("workbook.xml") for n in names)
        raise ToolkitError("read.corrupt" if damaged else "read.not-spreadsheet", file=shown)
    if strict:
        for name, member in xlsx_scan.workbook_parts(zf).sheets.items():
            dim = xlsx_scan.dimension(zf, member)
            if dim and dim[0] * dim[1] > MAX_CELLS:
                _name_stray(zf.filename or shown, shown, "xlsx")
                check_cells(shown, name, *dim)
    return total


def check_cells(shown: str, sheet: str, rows: int, columns: int) -> None:
    """Raise ``read.too-large`` naming the file, the sheet and the limit when a sheet spans more than ``MAX_CELLS``."""
    if rows * columns > MAX_CELLS:
        raise _too_large(shown, f"sheet {sheet!r} spans {rows} x {columns} cells; at most {MAX_CELLS:,} are read",
                         f"工作表“{sheet}”范围为 {rows} × {columns} 个单元格，上限为 {MAX_CELLS:,} 个")


def _out_of_memory(checked: CheckedFile) -> ToolkitError:
    mb = checked.memory // 1024**2
    return _too_large(checked.shown, f"the reader ran out of its memory budget of {mb:,} MB",
                      f"读取时超出 {mb:,} MB 的内存限额")


# ---------------------------------------------------------------------------------------------- isolation

T = TypeVar("T")


def isolation_enabled() -> bool:
    """Fork-based isolation: on by default on Linux; ``TOOLKIT_READ_ISOLATION=0/1`` overrides."""
    if lite():  # no fork under Pyodide (xlwings Lite): read in this process
        return False
    flag = os.environ.get("TOOLKIT_READ_ISOLATION", "").strip()
    if flag in ("0", "1"):
        return flag == "1" and hasattr(os, "fork")
    return forks()


def _vm_size() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


_in_process_first = False


def read_in_process_first(enabled: bool = True) -> None:
    """In a process that is itself disposable (a batch worker), parse in-process under the same memory and
    time limits instead of forking a child per file (~30-50 ms saved per file). A Python failure is retried
    in a child, so messages stay those of the isolated read; an abort or a timeout kills this process, and
    its parent retries the file isolated (``toolkit.operations.consolidate``)."""
    global _in_process_first
    _in_process_first = enabled and isolation_enabled()


def _limited(checked: CheckedFile, fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` here, with the child's address-space limit and a SIGALRM that ends the process."""
    import resource  # deferred: Unix only

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _vm_size() + checked.memory
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    previous = signal.signal(signal.SIGALRM, signal.SIG_DFL)
    faults = faulthandler.is_enabled()
    faulthandler.disable()  # an abort here ends this worker quietly; its parent retries the file
    stderr = os.dup(2)
    with open(os.devnull, "wb") as sink:  # the reader's own abort message must not reach the user
        os.dup2(sink.fileno(), 2)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    signal.alarm(int(checked.timeout) + 5)
    try:
        return fn(*args)
    finally:
        signal.alarm(0)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        os.dup2(stderr, 2)
        os.close(stderr)
        if faults:
            faulthandler.enable()
        signal.signal(signal.SIGALRM, previous)


def run_isolated(checked: CheckedFile, fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in a forked child with memory and time limits; its result or ToolkitError comes back.

    Any other failure of the child (a Python exception, an abort in native code, running out of its
    memory budget or time) becomes a ``ToolkitError`` naming the file.
    """
    if not isolation_enabled():
        return _guarded(checked, fn, *args)
    if _in_process_first:
        try:
            return _limited(checked, fn, *args)
        except ToolkitError:
            raise  # raised on purpose by the reading code: the child would send the same
        except Exception:  # noqa: BLE001, S110 - anything else: read again in a child for its exact message
            pass
    return _unpack(checked, _loads(_child(checked, fn, *args)))


def _child(checked: CheckedFile, fn: Callable[..., Any], *args: Any) -> bytes:
    """The pickled outcome of ``fn(*args)`` run in a forked child under the limits (``run_isolated``)."""
    timeout = checked.timeout
    read_fd, write_fd = os.pipe()
    err = tempfile.TemporaryFile()
    pid = os.fork()
    if pid == 0:  # child: never returns
        try:
            os.close(read_fd)
            os.dup2(err.fileno(), 2)
            faulthandler.disable()  # an abort here is expected and reported by the parent
            import resource  # deferred: Unix only

            limit = _vm_size() + checked.memory
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            signal.alarm(int(timeout) + 5)
            try:
                outcome: tuple[Any, ...] = ("ok", fn(*args))
            except ToolkitError as exc:
                outcome = ("toolkit", exc.key, exc.params)
            except MemoryError:
                outcome = ("memory",)
            except BaseException as exc:  # noqa: BLE001 - reported to the parent as a damaged file
                outcome = ("error", f"{type(exc).__name__}: {exc}")
            try:
                data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
            except MemoryError:
                data = pickle.dumps(("memory",))
            view = memoryview(data)
            while view:
                view = view[os.write(write_fd, view):]
        finally:
            os._exit(0)
    os.close(write_fd)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    timed_out = False
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([read_fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        if timed_out:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _, status = os.waitpid(pid, 0)
    try:
        err.seek(0)
        stderr = err.read(1 << 16).decode("utf-8", "replace")
    finally:
        err.close()
    if timed_out:
        raise ToolkitError("read.timeout", file=checked.shown, seconds=math.ceil(timeout))
    data = b"".join(chunks)
    if not data:
        if "memory allocation" in stderr or "capacity overflow" in stderr or os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
            raise _out_of_memory(checked)
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGALRM:
            raise ToolkitError("read.timeout", file=checked.shown, seconds=math.ceil(timeout))
        raise ToolkitError("read.corrupt", file=checked.shown)
    return data


def _loads(data: bytes) -> Any:
    """``pickle.loads(data)`` (a child's outcome) with the cyclic garbage collector paused: a workbook's result is
    ~10^4 objects, enough to set off collections that walk the whole (possibly large) process though none of them
    is garbage yet (10x the unpickling itself in a test process). The collector runs again right after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(data)  # noqa: S301 - our own child's pickle
    finally:
        if enabled:
            gc.enable()


def _unpack(checked: CheckedFile, outcome: tuple[Any, ...]) -> Any:
    kind = outcome[0]
    if kind == "ok":
        return outcome[1]
    if kind == "toolkit":
        raise ToolkitError(outcome[1], **outcome[2])
    if kind == "memory":
        raise _out_of_memory(checked)
    err = ToolkitError("read.corrupt", file=checked.shown)
    err.__cause__ = RuntimeError(outcome[1])
    raise err


def _guarded(checked: CheckedFile, fn: Callable[..., T], *args: Any) -> T:
    """In-process fallback: the same error mapping, without the child."""
    try:
        return fn(*args)
    except ToolkitError:
        raise
    except MemoryError as exc:
        raise _too_large(checked.shown, "the reader ran out of memory", "读取时内存不足") from exc
    except Exception as exc:  # any parser failure is a damaged file to the user
        raise ToolkitError("read.corrupt", file=checked.shown) from exc


def _name_stray(path: str | os.PathLike[str], shown: str, fmt: str) -> None:
    """Raise ``read.stray-cells`` naming the value that inflates a sheet's range, when there is one."""

    found = stray_cells(path, fmt)
    if found:
        s = found[0]
        more = s.count - 1
        raise ToolkitError("read.stray-cells", file=shown, sheet=s.sheet, cell=s.cell, extent=s.extent,
                           more=f" (and {more} more such value(s))" if more else "",
                           more_zh=f"（另有 {more} 个这样的值）" if more else "")


# ---------------------------------------------------------------------------------------------- memo
# A workbook is read in a forked child (``run_isolated``): ~40 ms of fork in a large process on top of the parse,
# every time. The same bytes parse to the same result, so the child's pickled result is kept, keyed by the bytes
# read (SHA-256), the reading function, its arguments, the caller's ``memo`` (what else its result depends on)
# and every limit above: the same bytes read again — a copy elsewhere, validated then consolidated, queued then
# applied — are the result unpickled, not a second parse. Only successful isolated reads are kept (a refusal or
# a damaged file is read again, and says so again), at most ``MEMO_BYTES`` of pickles, the least recently used
# dropped first. A result that names the file anywhere but its ``path`` is kept under that name too (for it only).

MEMO_BYTES = 64 * 1024**2
_MEMO: OrderedDict[tuple[Any, ...], tuple[bytes, str]] = OrderedDict()
_MEMO_LOCK = threading.Lock()  # reads may run in threads (``operations.batch``)


def _limits() -> tuple[Any, ...]:
    """Every limit of the pre-checks and of the isolated parse, as they are now (a test may lower one)."""
    return (MAX_ENTRIES, MAX_UNCOMPRESSED, MAX_RATIO, RATIO_FLOOR, MAX_CELLS, MEMORY_BASE, MEMORY_PER_BYTE,
            MEMORY_SHARE, TIMEOUT_BASE, TIMEOUT_PER_MB)


def _digest(path: Path) -> str:
    """SHA-256 of the file's bytes."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _memo_key(checked: CheckedFile, fn: Callable[..., Any], args: tuple[Any, ...],
              memo: tuple[Any, ...] | None) -> tuple[Any, ...] | None:
    """The memo's key of this read, or None when it is not kept (no ``memo``, arguments other than text, a read
    that does not fork a child, a repaired temporary copy — its bytes differ at every repair — or a file that
    cannot be read again for its digest). The file's extension is part of it: the reader opens and names a file
    by it, so the same bytes under another extension are another read."""
    if memo is None or _in_process_first or not isolation_enabled() or checked.temporary:
        return None
    if not all(a is None or isinstance(a, str) for a in args):
        return None
    try:
        digest = _digest(checked.path)
    except OSError:  # moved or locked since the pre-checks: read as ever, unkept (the read says what is wrong)
        return None
    return (digest, checked.path.suffix.lower(), checked.format, checked.repairs, fn.__module__, fn.__qualname__,
            args, memo, _limits())


def _without_path(result: Any) -> Any:
    """``result`` with its ``path`` field blank (a dataclass with one), else itself."""
    if dataclasses.is_dataclass(result) and not isinstance(result, type) and hasattr(result, "path"):
        return dataclasses.replace(result, path="")
    return result


def _recall(key: tuple[Any, ...], checked: CheckedFile) -> tuple[bool, Any]:
    """(found, the kept result of ``key`` read as ``checked.shown``)."""
    with _MEMO_LOCK:
        key = key if key in _MEMO else (*key, checked.shown)  # a result naming its file: kept under that name
        entry = _MEMO.get(key)
        if entry is None:
            return False, None
        _MEMO.move_to_end(key)
    result = _unpack(checked, _loads(entry[0]))
    if entry[1] != checked.shown and getattr(result, "path", None) == entry[1]:
        result.path = checked.shown
    return True, result


def _remember(key: tuple[Any, ...], data: bytes, shown: str, result: Any) -> None:
    """Keep ``data`` (the child's pickle of ``result``, read as ``shown``) under ``key``."""
    if len(data) > MEMO_BYTES // 4:
        return
    portable = shown.encode("utf-8", "surrogatepass") not in pickle.dumps(_without_path(result), protocol=pickle.HIGHEST_PROTOCOL)
    with _MEMO_LOCK:
        _MEMO[key if portable else (*key, shown)] = (data, shown)
        total = sum(len(d) for d, _ in _MEMO.values())
        while total > MEMO_BYTES:
            _, (dropped, _) = _MEMO.popitem(last=False)
            total -= len(dropped)


def forget_reads() -> None:
    """Drop every kept read (``read_safely``'s memo)."""
    with _MEMO_LOCK:
        _MEMO.clear()


def read_safely(path: str | os.PathLike[str], fn: Callable[..., T], *args: Any,
                memo: tuple[Any, ...] | None = None) -> T:
    """Pre-check ``path`` and run ``fn(checked, *args)`` isolated: the one gate every reader goes through.
    A repaired temporary copy is deleted afterwards. A read that ran out of its memory budget because of a value
    far beyond a sheet's table says which cell (``read.stray-cells``). ``memo`` (None: never kept): what else the
    result depends on besides the bytes, ``fn``, ``args`` and the limits — a successful isolated read of the same
    bytes is then the kept result (see the memo above)."""
    checked = check_file(path)
    try:
        key = _memo_key(checked, fn, (*args,), memo)
        if key is None:
            return run_isolated(checked, fn, checked, *args)
        found, result = _recall(key, checked)
        if found:
            return result
        data = _child(checked, fn, checked, *args)
        result = _unpack(checked, _loads(data))  # raises for a refusal: not kept
        try:
            if _digest(checked.path) == key[0]:  # the bytes did not change while the child read them
                _remember(key, data, checked.shown, result)
        except Exception:  # noqa: BLE001 - keeping a read never changes its outcome (the file moved since, ...)
            pass
        return result
    except ToolkitError as exc:
        if exc.key == "read.too-large":
            _name_stray(checked.path, checked.shown, checked.format)
        raise
    finally:
        if checked.temporary:
            checked.path.unlink(missing_ok=True)
