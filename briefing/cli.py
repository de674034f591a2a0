"""The command line: the only place that prints, sets up logging and picks exit codes."""

from __future__ import annotations

import sys

import click

from briefing import __version__, config, locations
from briefing.exit_codes import ExitCode


class Context:
    def __init__(self, db: str | None, config_path: str | None) -> None:
        self.db_arg = db
        self.config_path = locations.config_file() if config_path is None else None
        if config_path is not None:
            from pathlib import Path

            self.config_path = Path(config_path)


@click.group(invoke_without_command=True)
@click.option("--db", metavar="PATH", help="Database file [env BRIEFING_DB].")
@click.option("--config", "config_path", metavar="PATH", help="Config file [env BRIEFING_CONFIG].")
@click.version_option(__version__, prog_name="briefing")
@click.pass_context
def cli(ctx: click.Context, db: str | None, config_path: str | None) -> None:
    """Terminal news briefings: feeds in, clean articles, key facts, translations."""
    ctx.obj = Context(db, config_path)


@cli.command()
@click.pass_obj
def locate(obj: Context) -> None:
    """Print the config file and database paths in use."""
    click.echo(f"config: {obj.config_path}")
    click.echo(f"database: {locations.db_path(obj.db_arg)}")


def main() -> None:
    try:
        cli.main(prog_name="briefing", standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(ExitCode.INTERRUPTED)


_ = config
