"""One family for every failure briefing explains to its user: a one-line message naming the
source and the reason, and the exit code the CLI ends with. The CLI turns any of them into
that line and that code in one place (`cli.handles_errors`); the pipeline records them per
source and goes on."""

from __future__ import annotations

from typing import ClassVar

from briefing.exit_codes import ExitCode


class BriefingError(Exception):
    """Base of briefing's own failures. `exit_code` is what a command ends with when this
    failure ends it; a failure of one source among many only makes the run PARTIAL."""

    exit_code: ClassVar[ExitCode] = ExitCode.PARTIAL


class UsageError(BriefingError):
    """The command was asked something it cannot mean: an unknown id, a malformed query."""

    exit_code = ExitCode.USAGE
