"""``--cluster ADDRESS``: where ``render`` and ``publish`` make takes (see docs/cluster.md)."""

from __future__ import annotations

import contextlib
from typing import Annotated

import typer

ClusterOption = Annotated[str | None, typer.Option(
    "--cluster", metavar="ADDRESS", show_default=False,
    help="Synthesize on a Ray cluster: HOST:PORT, ray://HOST:PORT, auto, local, or off "
         "(default: $RAY_ADDRESS, else the show file's [render] cluster, else this machine).")]


def cluster_session(option: str | None, show_value: str | None = None,
                    show_file: str | None = None) -> contextlib.AbstractContextManager:
    """A connected-on-demand cluster session for the command, or None (render here). Checks
    at once that the head answers; Ray is imported only when there is work for it."""
    from pipeline.cluster.address import resolve
    from pipeline.cluster.session import open_session
    from pipeline.commands.common import note, warn

    return open_session(resolve(option, show_value, show_file), note=note, warn=warn)
