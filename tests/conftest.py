from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.httpserver import TestServer, serve

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
CORPUS = SHARED / "corpora" / "feedparser"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session", autouse=True)
def _cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The unpacked language model's cache (clean.langid_cache) in a folder of this session,
    never the user's: set for the whole session, as the model is loaded by module fixtures,
    by fork servers that outlive a test, and by subprocesses, all of which inherit it."""
    saved = os.environ.get("BRIEFING_CACHE")
    os.environ["BRIEFING_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if saved is None:
        os.environ.pop("BRIEFING_CACHE", None)
    else:
        os.environ["BRIEFING_CACHE"] = saved


@pytest.fixture(autouse=True)
def _isolate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Keep the developer's own config, data and network settings out of every test."""
    for var in ("BRIEFING_DB", "BRIEFING_CONFIG", "BRIEFING_STATE", "HTTP_PROXY", "HTTPS_PROXY",
                "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    home = tmp_path / "home"
    for sub in ("config", "data", "cache", "state"):
        (home / sub).mkdir(parents=True)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("NO_PROXY", "*")
    monkeypatch.setattr(socket, "getaddrinfo", _loopback_only(socket.getaddrinfo))
    yield


def _loopback_only(real: Callable[..., Any]) -> Callable[..., Any]:
    """Tests reach nothing beyond this machine: any other host name fails to resolve, as it
    would offline, instead of being looked up."""

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host or "")
        if name not in ("localhost", "") and not name.startswith(("127.", "::1")):
            raise socket.gaierror(socket.EAI_NONAME, f"{name}: tests stay on 127.0.0.1")
        return real(host, *args, **kwargs)

    return getaddrinfo


def seed(name: str) -> Path:
    """A seed document from ../shared/seeds, or a skip saying why it is missing."""
    path = SEEDS / name
    if not path.exists():
        pytest.skip(f"{path} not found: the seeds live in ../shared, which a user's clone lacks")
    return path


SEED_000 = "000_be20d156f46645ba.txt"  # the scraped, spun copy
SEED_004 = "004_23fcfc9bf839688f.txt"  # the finished briefing post


def seed_folder(tmp_path: Path) -> Path:
    """Both seed documents copied into a folder of their own (a fetch source), or a skip."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    for name in (SEED_000, SEED_004):
        shutil.copy(seed(name), folder / name)
    return folder


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "briefing.db"


@pytest.fixture
def kill_on_exit() -> Iterator[list[subprocess.Popen[str]]]:
    """Subprocesses a test started in their own session: killed, group and all, if a failed
    assertion left them running."""
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


@pytest.fixture
def server() -> Iterator[TestServer]:
    """A real HTTP server on 127.0.0.1 with routes added per test."""
    yield from serve()


def quick_settings(*, connect: float, read: float, total: float, **fetch: object) -> Any:
    """Settings with short network timeouts (tests wait on stalled servers), plus any other
    [fetch] values to override."""
    from briefing.config import Settings

    settings = Settings()
    settings.fetch.connect_timeout = connect
    settings.fetch.read_timeout = read
    settings.fetch.total_timeout = total
    for key, value in fetch.items():
        setattr(settings.fetch, key, value)
    return settings


@pytest.fixture
def raw() -> Iterator[Callable[..., Any]]:
    """Servers on 127.0.0.1 whose replies are bytes written by hand (test_fetch_hostile's
    RawServer), each closed after the test."""
    from tests.test_fetch_hostile import RawServer

    made: list[RawServer] = []

    def make(handler: Callable[..., Any]) -> RawServer:
        made.append(RawServer(handler))
        return made[-1]

    yield make
    for server in made:
        server.close()
