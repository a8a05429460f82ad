"""One error type for everything a user can get wrong, printed as ``file:line: problem``."""

from __future__ import annotations

from pathlib import Path


class CastwrightError(Exception):
    """A user-facing error. The CLI prints ``str(err)`` and exits non-zero, never a traceback."""

    def __init__(self, problem: str, file: str | Path | None = None, line: int | None = None):
        self.problem = problem
        self.file = str(file) if file is not None else None
        self.line = line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = self.file or ""
        if self.file and self.line:
            where += f":{self.line}"
        return f"{where}: {self.problem}" if where else self.problem


class ScriptError(CastwrightError):
    """The script text cannot be read or parsed."""


class CastError(CastwrightError):
    """The cast file is wrong: syntax, unknown voice, bad value."""


class VoiceError(CastwrightError):
    """A voice or engine cannot be used: unknown name, missing model, engine not installed."""


class RenderError(CastwrightError):
    """Rendering failed: unknown episode/line, unwritable output."""


class MixError(CastwrightError):
    """A mix cue is wrong: missing/undecodable file, unknown bed, bad duration."""


class PublishError(CastwrightError):
    """The show file or publishing step is wrong."""
