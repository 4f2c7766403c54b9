"""The monthly report to the general manager: context (pure), Excel/HTML/Markdown/PDF renderers."""

from __future__ import annotations

from .context import build_context
from .render import FORMATS, output_name, render_report

__all__ = ["FORMATS", "build_context", "output_name", "render_report"]
