"""Offline translation with Apertium, Debian's rule-based translator (`apt-get install apertium
apertium-eng-spa`): no server, no model download, nothing to configure.

Apertium is a command: `apertium -u eng-spa` reads text on stdin and writes one line out per
line in (`-u` drops the `*` it puts before words it does not know). So a batch goes in as one
paragraph per line, newlines inside a paragraph made spaces, and comes back line for line.
Its pairs are the modes `apertium -l` lists, named by three-letter codes ("eng-spa") or, in
older packages, two-letter ones ("en-gl").

It is rough: it writes "12 billones de dólares" (10^12) for "$12bn" and "cuarto barrio" for
"fourth quarter"; the numbers check flags the first. It is still a real engine that any Debian
machine can install in a minute, which is what the test suite uses it for.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import threading
from collections.abc import Sequence
from typing import IO

from briefing.text import one_line
from briefing.translate.errors import EngineError

NOT_INSTALLED = ("apertium is not installed: apt-get install apertium and a pair package "
                 "such as apertium-eng-spa")
MAX_OUTPUT_BYTES = 20_000_000  # a batch is ~4,000 characters; this is a runaway, not a reply
_STDERR_BYTES = 4_000
# ISO 639-1 (what briefing stores) -> ISO 639-3 (what Apertium's modes are named by).
_ISO3 = {"en": "eng", "es": "spa", "ca": "cat", "pt": "por", "gl": "glg", "fr": "fra",
         "it": "ita", "oc": "oci", "eu": "eus", "ro": "ron", "an": "arg", "sc": "srd",
         "eo": "epo", "af": "afr", "nl": "nld", "da": "dan", "nb": "nob", "nn": "nno",
         "no": "nor", "is": "isl", "sv": "swe", "mk": "mkd", "bg": "bul", "be": "bel",
         "ru": "rus", "id": "ind", "ms": "zlm", "sh": "hbs", "sl": "slv", "br": "bre"}
_TWO = {v: k for k, v in _ISO3.items()}


def executable() -> str | None:
    """Where `apertium` is, or None."""
    return shutil.which("apertium")


def list_modes(timeout: float = 30.0) -> list[str]:
    """The modes `apertium -l` lists ("eng-spa", "eng-cat_valencia"), or [] when Apertium is
    missing or does not answer."""
    exe = executable()
    if exe is None:
        return []
    try:
        done = subprocess.run([exe, "-l"], capture_output=True, timeout=timeout, check=False,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return []
    text = done.stdout[:100_000].decode("utf-8", "replace")
    return [m for m in (ln.strip() for ln in text.splitlines()) if re.fullmatch(r"[\w-]+", m)]


def pairs(modes: Sequence[str]) -> list[tuple[str, str]]:
    """The (source, target) language pairs, in ISO 639-1 where we know the code, of the plain
    modes (variants such as "eng-cat_valencia" are left to those who name them)."""
    out: list[tuple[str, str]] = []
    for mode in modes:
        m = re.fullmatch(r"([a-z]{2,3})-([a-z]{2,3})", mode)
        if m:
            pair = (_TWO.get(m.group(1), m.group(1)), _TWO.get(m.group(2), m.group(2)))
            if pair not in out:
                out.append(pair)
    return out


def mode_for(source: str, target: str, modes: Sequence[str]) -> str | None:
    """The mode translating `source` into `target` ("en", "es" -> "eng-spa"), if installed."""
    src, tgt = source.lower()[:2], target.lower()[:2]
    for name in (f"{_ISO3.get(src, src)}-{_ISO3.get(tgt, tgt)}", f"{src}-{tgt}"):
        if name in modes:
            return name
    return None


class ApertiumEngine:
    """Runs `apertium -u MODE` once per batch: paragraphs in one per line, out one per line."""

    name = "apertium"
    model = "apertium"

    def __init__(self, timeout: float = 120.0) -> None:
        exe = executable()
        if exe is None:
            raise EngineError(NOT_INSTALLED, fatal=True)
        self.exe = exe
        self.timeout = timeout
        self._modes: list[str] | None = None

    @property
    def modes(self) -> list[str]:
        if self._modes is None:
            self._modes = list_modes(self.timeout)
        return self._modes

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        mode = mode_for(source, target, self.modes)
        if mode is None:
            have = ", ".join(f"{a}→{b}" for a, b in pairs(self.modes)) or "none"
            raise EngineError(
                f"apertium: no installed pair translates {source} → {target} (installed: "
                f"{have}); Debian has pair packages such as apertium-eng-spa", fatal=True)
        if not texts:
            return []
        lines = [" ".join(t.split()) for t in texts]
        data = ("\n".join(lines) + "\n").encode("utf-8")
        out = self._run([self.exe, "-u", mode], data, f"apertium {mode}")
        got = out.decode("utf-8", "replace").split("\n")
        if got and got[-1] == "":
            got.pop()
        if len(got) != len(texts):
            raise EngineError(f"apertium {mode}: returned {len(got)} lines for {len(texts)} "
                              "paragraphs")
        return [" ".join(line.split()) for line in got]

    def _run(self, args: list[str], data: bytes, where: str) -> bytes:
        """Run `args` with `data` on stdin; its stdout, capped in size and time. `apertium` is
        a shell script running a pipeline, so it gets a process group of its own and the whole
        group is killed: killing the script alone leaves the pipeline holding stdout open."""
        try:
            proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, start_new_session=True)
        except OSError as exc:
            raise EngineError(f"{where}: cannot start ({exc})", fatal=True) from exc
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        err: list[bytes] = []
        timed_out = threading.Event()

        def stop() -> None:
            timed_out.set()
            _kill_group(proc)

        timer = threading.Timer(self.timeout, stop)
        feeder = threading.Thread(target=_feed, args=(proc.stdin, data), daemon=True)
        drain = threading.Thread(target=_drain, args=(proc.stderr, err), daemon=True)
        timer.start()
        feeder.start()
        drain.start()
        try:
            out = proc.stdout.read(MAX_OUTPUT_BYTES + 1)
            if len(out) > MAX_OUTPUT_BYTES:
                _kill_group(proc)
            code = proc.wait()
        finally:
            timer.cancel()
            proc.stdout.close()
            feeder.join(5)
            drain.join(5)
        if timed_out.is_set():
            raise EngineError(f"{where}: no answer in {self.timeout:g} s, stopped", fatal=True)
        if len(out) > MAX_OUTPUT_BYTES:
            raise EngineError(f"{where}: output over {MAX_OUTPUT_BYTES:,} bytes, stopped")
        if code != 0:
            detail = one_line(b"".join(err).decode("utf-8", "replace"), 200)
            raise EngineError(f"{where}: exited with status {code}"
                              + (f": {detail}" if detail else ""))
        return out


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # already gone
        os.killpg(proc.pid, signal.SIGKILL)


def _feed(pipe: IO[bytes], data: bytes) -> None:
    try:
        pipe.write(data)
    except (BrokenPipeError, OSError):
        pass  # it died early; its exit status says why
    finally:
        with contextlib.suppress(OSError):
            pipe.close()


def _drain(pipe: IO[bytes], into: list[bytes]) -> None:
    try:
        into.append(pipe.read(_STDERR_BYTES))
        while pipe.read(65536):
            pass  # keep reading so it never blocks on a full stderr pipe
    except (OSError, ValueError):
        pass
    finally:
        pipe.close()
