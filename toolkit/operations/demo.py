"""What ``toolkit demo`` closes: the shipped sample folder, or the same sample generated where there is none."""

from __future__ import annotations

from pathlib import Path
from ..sample.generate import generate_sample

#: The month the demo closes.
DEMO_PERIOD = "2026-10"
#: The shipped sample folder, in a repository checkout.
SAMPLE_DIR = Path(__file__).resolve().parents[2] / "workbooks" / "sample"


def sample_folder(out_dir: Path) -> Path:
    """The sample workbooks: ./workbooks/sample, the checkout's, else generated into OUT/sample.

    An installed package has no repository folder; the seeded generator writes the same files.
    """
    for candidate in (Path("workbooks") / "sample", SAMPLE_DIR):
        if (candidate / "standards.xlsx").exists():
            return candidate
    generated = out_dir / "sample"
    generate_sample(generated, overwrite=True)
    return generated
