"""The ``castwright`` command line. Each area registers its own commands (see ``commands/``)."""

from __future__ import annotations

import typer

from pipeline.commands import publish, qa, render, script, voices

app = typer.Typer(
    name="castwright",
    help="Turn a written story or script into a finished, published audio drama episode.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for area in (script, voices, render, publish, qa):
    area.register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
