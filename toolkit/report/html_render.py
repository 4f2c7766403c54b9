"""Renders the HTML report: Jinja2 with autoescaping, one self-contained page (inline CSS and SVG)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from ..errors import ToolkitError
from ..i18n import register
from . import filters as FL
from .charts import all_charts
from ..outputs.labels import LABELS
from .sections.words import column_label

register({"report.html.template": ("HTML report template {file}: {detail}", "HTML 报告模板 {file}：{detail}")})


def records(frame: Any) -> list[dict[str, Any]]:
    """A table as a list of row dicts (blanks stay None/NaN; the filters print them as empty)."""
    return frame.astype(object).to_dict("records")


def html_context(context: dict[str, Any], charts: dict[str, str] | None = None) -> dict[str, Any]:
    """The context plus what the HTML template needs: row records, labels by key and the SVG charts."""
    lang = context.get("lang", "en")
    return {**context,
            "records": {name: records(frame) for name, frame in context["tables"].items()},
            "labels_by_key": {k: column_label(k, lang) for k, (en, _) in LABELS.items() if "{" not in en},
            "charts": charts if charts is not None else all_charts(context)}


def render_html(context: dict[str, Any], template: str | Path) -> str:
    """The report page as text, from the Jinja2 template file ``template`` (autoescaped)."""
    path = Path(template)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(path.parent)), undefined=jinja2.StrictUndefined,
                             autoescape=True, trim_blocks=False)
    env.filters.update(FL.jinja_filters(context.get("lang", "en"), context.get("unit", {}).get("key", "yuan")))
    try:
        return env.get_template(path.name).render(**html_context(context))
    except (jinja2.TemplateError, OSError) as exc:
        where = f"line {exc.lineno}: " if isinstance(exc, jinja2.TemplateSyntaxError) and exc.lineno else ""
        raise ToolkitError("report.html.template", file=str(path), detail=where + str(exc)) from exc
