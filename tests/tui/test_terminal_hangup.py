"""The reader quits when its terminal goes away, even when no SIGHUP reaches it.

`make run` in a tmux pane that is then killed: the hangup signal goes to the pane's session
leader only, and the reader, a grandchild, is left reading a hung-up terminal, which reads as
end of input for ever (Textual's input thread spun on it at half a core, for hours). Here the
same shape on a real pseudo-terminal: a session leader, a shell under it, the reader under
that; the terminal is closed and the shell records the reader's exit code.
"""

from __future__ import annotations

import contextlib
import os
import pty
import select
import shlex
import signal
import sys
import time
from pathlib import Path

import pytest

from briefing.exit_codes import ExitCode
from briefing.store import Store

from .conftest import plain_article

DEADLINE_S = 120.0


def _read_until(fd: int, needle: bytes, deadline: float) -> bytes:
    seen = b""
    while needle not in seen:
        if time.monotonic() > deadline:
            raise AssertionError(f"the reader never drew {needle!r}; got {seen[-500:]!r}")
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    return seen


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and a pseudo-terminal")
def test_the_reader_quits_when_its_terminal_is_closed(tmp_path: Path) -> None:
    db = tmp_path / "hup.db"
    with Store(db) as store:
        store.save_article(plain_article(1, title="Harbour dredging starts"))
    code_file = tmp_path / "code"
    home = tmp_path / "home"
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "cfg"),
           "XDG_STATE_HOME": str(home / "state"), "XDG_DATA_HOME": str(home / "data"),
           "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
    env.pop("BRIEFING_CONFIG", None)
    reader = shlex.join([sys.executable, "-m", "briefing", "--db", str(db)])
    # The inner shell and the reader ignore SIGHUP, as a process the hangup never reaches
    # (the reader itself does not rely on the signal: it looks at its terminal).
    inner = f"trap '' HUP; {reader}; echo $? > {shlex.quote(str(code_file))}"
    # The outer shell is the session leader (it takes the hangup); `; true` keeps it from
    # handing its process over to the inner one.
    outer = f"sh -c {shlex.quote(inner)}; true"
    pid, master = pty.fork()
    if pid == 0:  # the child: a new session with the pseudo-terminal as its terminal
        try:
            os.execvpe("sh", ["sh", "-c", outer], env)
        finally:
            os._exit(127)
    try:
        deadline = time.monotonic() + DEADLINE_S
        _read_until(master, b"Harbour dredging starts", deadline)
        os.close(master)  # the terminal goes away
        master = -1
        while not code_file.exists() or not code_file.read_text().strip():
            assert time.monotonic() < deadline, "the reader kept running on a closed terminal"
            time.sleep(0.2)
        assert int(code_file.read_text()) == ExitCode.HANGUP
    finally:
        if master >= 0:
            os.close(master)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
