"""Build the sample company (pure, seeded) and write its workbooks: standards.xlsx and dept-<key>.xlsx.

``build_sample`` returns typed frames only (no files, no clock, no hash randomisation), so the same
seed always gives the same data; ``generate_sample`` writes them with the template writer.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import TEMPLATE_VERSION
from ..errors import ToolkitError
from ..i18n import register
from ..schema import DEPARTMENT, STANDARDS
from . import changes
from .department import activity_frames, department_frames, department_info, plan_table
from .names import DEPARTMENTS, PROBLEM_DEPARTMENT, DeptSpec
from .people import people
from .problems import Problem, inject_problems
from .standards import standards_frames
from ..io.templates import write_workbook

register(
    {
        "sample.exists": (
            "{path} already exists; use --force to replace the sample workbooks.",
            "{path} 已存在；如需替换示例工作簿，请使用 --force。",
        ),
        "sample.not-a-folder": ("{path} is not a folder.", "{path} 不是文件夹。"),
    }
)

DEFAULT_SEED = 2026
STANDARDS_FILE = "standards.xlsx"
#: Language of the standards workbook (the director's).
STANDARDS_LANG = "en"


def department_file(dept: DeptSpec) -> str:
    """File name of a department workbook."""
    return f"dept-{dept.key}.xlsx"


@dataclass
class DepartmentSample:
    """One department workbook's content."""

    spec: DeptSpec
    frames: dict[str, pd.DataFrame]
    info: dict[str, object]
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Sample:
    """The whole sample company: the standards tables and four department workbooks."""

    seed: int
    people: pd.DataFrame  # roster plus generator-only columns
    standards: dict[str, pd.DataFrame]
    departments: list[DepartmentSample]

    def department(self, key: str) -> DepartmentSample:
        """The department whose file key is ``key`` (``"east"`` ...)."""
        return next(d for d in self.departments if d.spec.key == key)


def clean_departments(staff: pd.DataFrame, seed: int = DEFAULT_SEED) -> dict[str, dict[str, pd.DataFrame]]:
    """Every department's tables by file key (``"east"`` ...), before the planted problems: the registers agree
    with the people's Start and Leave Dates and the transfer (``changes``)."""
    activity = {dept.key: activity_frames(dept, staff, seed) for dept in DEPARTMENTS}
    changes.employment(activity, staff)  # the hire's rows from their start, the leaver's to their leave
    for dept in DEPARTMENTS:
        activity[dept.key]["Plan"] = changes.employed_targets(plan_table(dept, staff, activity[dept.key], seed))
    changes.transfer(activity, staff)  # the transferee's rows from the transfer in the new department
    return {dept.key: department_frames(dept, activity[dept.key]) for dept in DEPARTMENTS}


def sample_staff(seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """The sample's people (the Roster's columns and the generator's), with their Start and Leave Dates."""
    return changes.start_dates(people(seed), seed)


def build_sample(seed: int = DEFAULT_SEED) -> Sample:
    """Every table of the sample company, deterministic for ``seed``."""
    staff = sample_staff(seed)
    tables = clean_departments(staff, seed)
    departments = []
    for dept in DEPARTMENTS:
        frames = tables[dept.key]
        problems = inject_problems(dept, frames, staff) if dept.key == PROBLEM_DEPARTMENT else []
        departments.append(DepartmentSample(dept, frames, department_info(dept, staff), problems))
    return Sample(seed, staff, standards_frames(staff), departments)


def sample_files() -> list[str]:
    """Names of the files ``generate_sample`` writes, standards first."""
    return [STANDARDS_FILE, *(department_file(d) for d in DEPARTMENTS)]


def generate_sample(
    out_dir: str | os.PathLike[str], seed: int = DEFAULT_SEED, *, overwrite: bool = False
) -> list[Path]:
    """Write standards.xlsx and the four department workbooks into ``out_dir``; return their paths.

    Existing files are replaced only with ``overwrite`` (raises ``ToolkitError`` otherwise, before
    writing anything). Each file is saved atomically and byte-for-byte reproducibly.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ToolkitError("sample.not-a-folder", path=out)
    if not overwrite:
        for name in sample_files():
            if (out / name).exists():
                raise ToolkitError("sample.exists", path=out / name)
    sample = build_sample(seed)
    out.mkdir(parents=True, exist_ok=True)
    roster_ids = list(sample.standards["Roster"]["employee_id"])
    paths = [
        write_workbook(out / STANDARDS_FILE, STANDARDS, STANDARDS_LANG, frames=sample.standards,
                       info={"template_version": TEMPLATE_VERSION}, roster_ids=roster_ids)
    ]
    for dept in sample.departments:
        paths.append(
            write_workbook(out / department_file(dept.spec), DEPARTMENT, dept.spec.lang, frames=dept.frames,
                           info=dept.info, roster_ids=roster_ids)
        )
    return [Path(p) for p in paths]
