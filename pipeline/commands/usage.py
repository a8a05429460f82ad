"""Help pages in the usual Unix style, whatever typer's defaults of the day.

Typer 0.2x writes required arguments as ``{EPISODE}`` (braces read as a set of choices), a
lowercase ``{script}`` where no metavar was given, ``<bool>`` beside flags that take no value
and keeps a docstring's line breaks in the command list. Castwright's help reads
``Usage: castwright regen [OPTIONS] EPISODE LINE`` instead.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

_BRACED = re.compile(r"^\{(.+)\}(\.\.\.)?$")


def _tidy_params(params: list[Any]) -> None:
    for param in params:
        if isinstance(param, TyperArgument) and param.metavar is None and param.name:
            param.metavar = param.name.upper()
        elif isinstance(param, TyperOption) and (param.is_flag or param.count) \
                and param.metavar is None:
            param.metavar = ""  # a switch takes no value: no type beside it


def _one_line(help_text: str | None) -> str | None:
    """The first paragraph of a docstring on one line (the command list's summary)."""
    if not help_text:
        return None
    return " ".join(inspect.cleandoc(help_text).split("\n\n")[0].split())


def _reflowed(help_text: str | None) -> str | None:
    """Paragraphs of prose rejoined (rich help keeps the docstring's line breaks); paragraphs
    with indented, bulleted or example lines are left as written."""
    if not help_text:
        return help_text
    paragraphs = inspect.cleandoc(help_text).split("\n\n")
    return "\n\n".join(p if _LAID_OUT.search(p) else " ".join(p.split()) for p in paragraphs)


_LAID_OUT = re.compile(r"\n\s*(?:[-*\u2022]\s|\s|\$|castwright\b)|\x08")


class PlainCommand(TyperCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.short_help = self.short_help or _one_line(self.help)
        self.help = _reflowed(self.help)

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)  # with --help, added after __init__
        _tidy_params(params)
        return params

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return [_BRACED.sub(r"\1\2", piece) for piece in super().collect_usage_pieces(ctx)]


class PlainGroup(TyperGroup):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.short_help = self.short_help or _one_line(self.help)
        self.help = _reflowed(self.help)

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        _tidy_params(params)
        return params


def plain_help(app: typer.Typer) -> None:
    """Build every command of ``app`` (and its sub-apps) with the plain help classes."""
    for command in app.registered_commands:
        if not isinstance(command.cls, type) or command.cls is TyperCommand:
            command.cls = PlainCommand
    for group in app.registered_groups:
        if not isinstance(group.cls, type) or group.cls is TyperGroup:
            group.cls = PlainGroup
        if group.typer_instance is not None:
            plain_help(group.typer_instance)
