"""What a consolidation run reports: each file's outcome, the files skipped, the run as a whole."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...core.findings import Finding
from ...i18n import t

OK_STATUSES = ("loaded", "unchanged")


@dataclass
class FileOutcome:
    """What became of one source file."""

    path: str
    status: str  # loaded | unchanged | rejected | unreadable | duplicate
    department: str | None = None
    kind: str | None = None
    reason: str | None = None
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    sha256: str | None = None
    snapshot_id: int | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in OK_STATUSES

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {"path": self.path, "department": self.department, "status": self.status, "reason": self.reason,
                "errors": self.errors, "warnings": self.warnings, "rows": self.rows, "sha256": self.sha256,
                "snapshot_id": self.snapshot_id,
                "findings": [{**f.to_dict(lang), "file": f.file} for f in self.findings]}


@dataclass
class Skipped:
    """A file found in a folder but not taken, and why (``consolidate.skip.*`` key)."""

    path: str
    reason: str

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {"path": self.path, "reason": self.reason, "message": t(f"consolidate.skip.{self.reason}", lang)}


@dataclass
class ConsolidationResult:
    """A consolidation run: every file's outcome, what was skipped, the workbook and the timings."""

    period: str
    store: str
    run_id: int | None
    standards: FileOutcome | None
    files: list[FileOutcome]
    skipped: list[Skipped]
    workbook: Path | None = None
    sheets: list[Any] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    #: Roster departments no consolidated workbook is for: their people are not computed (issue 22), so the run
    #: is never reported as complete.
    not_computed: list[str] = field(default_factory=list)
    #: With ``consolidate(..., hand_over=True)``: snapshot id -> its tables as the store wrote them (``codec.
    #: EncodedTable``), for the month close's ledger (``store.load_ledger_from_store(handed=...)``, which decodes
    #: each table once for every department), so nothing is read twice.
    handed: dict[int, dict[str, Any]] = field(default_factory=dict, repr=False)

    @property
    def consolidated(self) -> list[FileOutcome]:
        return [f for f in self.files if f.ok]

    @property
    def failed(self) -> list[FileOutcome]:
        return [f for f in self.files if not f.ok]

    @property
    def exit_code(self) -> int:
        """0 when every department was consolidated, 1 when some were rejected or unreadable or a Roster
        department's people are not computed (no consolidated workbook is for it)."""
        return 1 if self.failed or not self.files or self.not_computed else 0

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "period": self.period, "store": self.store, "run_id": self.run_id,
            "standards": self.standards.to_dict(lang) if self.standards else None,
            "files": [f.to_dict(lang) for f in self.files],
            "skipped": [s.to_dict(lang) for s in self.skipped],
            "workbook": str(self.workbook) if self.workbook else None,
            "sheets": [{"table": p.table, "sheet": p.sheet, "rows": p.rows, "part": p.part, "parts": p.parts}
                       for p in self.sheets],
            "consolidated": len(self.consolidated), "failed": len(self.failed), "not_computed": self.not_computed,
            "exit_code": self.exit_code,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }
