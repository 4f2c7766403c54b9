"""The one exception type that carries a message for people (DESIGN.md, "Errors")."""

from __future__ import annotations

from .i18n import register, t

register(
    {
        "error.generic": ("{detail}", "{detail}"),
    }
)


class ToolkitError(Exception):
    """A failure a user can act on: a message key and its parameters, rendered in either language.

    The CLI prints ``message(lang)`` on one line and exits 2; the ribbon shows it in a message box.
    """

    def __init__(self, key: str, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        return t(self.key, lang, **self.params)

    def __reduce__(self):  # survives pickling, so worker processes can send it back whole
        return (_rebuild, (self.key, self.params))


def _rebuild(key: str, params: dict[str, object]) -> ToolkitError:
    return ToolkitError(key, **params)
