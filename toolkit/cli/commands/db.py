"""``toolkit db copy SOURCE TARGET`` / ``toolkit db check STORE``: thin layer over ``operations.store_admin``."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from ...i18n import register, t
from ...operations.store_admin import check_store_at, copy_store
from ..main import settings
from ..output import emit_json, emit_text

register(
    {
        "db.copied": ("Copied {rows} rows in {tables} tables from {source} to {target}; row counts and checksums "
                      "verified.", "已从 {source} 复制 {rows} 行（{tables} 张表）到 {target}；行数和校验和已核对。"),
        "db.check-head": ("History store {url} ({backend}): schema version {version} (this toolkit: {supported}).",
                          "历史库 {url}（{backend}）：库版本 {version}（本工具：{supported}）。"),
        "db.check-ok": ("Integrity: ok.", "完整性：正常。"),
        "db.check-problems": ("Integrity: {n} problem(s):", "完整性：发现 {n} 个问题："),
    }
)


@click.group("db")
def db() -> None:
    """The history store itself: copy a whole history between stores, check one."""


@db.command("copy")
@click.argument("source_url", metavar="SOURCE")
@click.argument("target_url", metavar="TARGET")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def copy_cmd(source_url: str, target_url: str, fmt: str, output: Path | None) -> None:
    """Copy the whole history at SOURCE (path or URL) into the new, empty store TARGET, verified."""
    res = copy_store(source_url, target_url)
    if fmt == "json":
        emit_json(res.to_dict(), output)
        return
    emit_text(t("db.copied", settings().lang, rows=res.rows, tables=len(res.tables), source=res.source,
                target=res.target), output)


@db.command("check")
@click.argument("url", metavar="STORE")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def check_cmd(url: str, fmt: str, output: Path | None) -> None:
    """The schema version and integrity of the store at STORE (path or URL); exit 1 when something is wrong."""
    res = check_store_at(url)
    lang = settings().lang
    if fmt == "json":
        emit_json({**dataclasses.asdict(res), "ok": res.ok}, output)
    else:
        lines = [t("db.check-head", lang, url=res.url, backend=res.backend, version=res.schema_version,
                   supported=res.supported_version)]
        lines += [f"  {name}: {n}" for name, n in res.tables.items() if n]
        lines.append(t("db.check-ok", lang) if res.ok else t("db.check-problems", lang, n=len(res.problems)))
        lines += [f"  - {p}" for p in res.problems]
        emit_text("\n".join(lines), output)
    if not res.ok:
        raise SystemExit(1)


COMMANDS = [db]
