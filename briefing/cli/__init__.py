"""The command line: the only place that prints, sets up logging and picks exit codes.

stdout carries the output (a report, a list, JSON); stderr carries diagnostics. Every error a
user can cause ends in one line naming the source and the reason, never a traceback.

`main` is the console script; `cli` the click group (main.py) with a module per command group
beside it, all sharing common.py and none importing another.
"""

from __future__ import annotations

from briefing.cli.common import Context
from briefing.cli.main import cli, main

__all__ = ["Context", "cli", "main"]
