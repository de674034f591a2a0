"""The llm writer against a real OpenAI-protocol server on 127.0.0.1: bullets and summary
written, stored and shown (`brief --format json` basis writer), the figure guard's flags
everywhere (`write`, `show --json`, `brief` md/json, `--strict`), replies that are not the
JSON asked for, servers without response_format, and a server too slow for the deadline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from briefing.cli import cli
from briefing.models import Article, Fact, Paragraph
from briefing.writer import digest, guard
from briefing.writer.llm import MAX_BULLETS, Draft, WriterError, parse_reply, user_message
from tests.test_translate_engines import FakeServer

P0 = ("Nvidia said on Tuesday it would invest $12bn in Vietnam over five years, its biggest "
      "bet in south-east Asia.")
P1 = ("Jensen Huang, the chief executive, told reporters in Hanoi that 40% of the money would "
      "go to a new research centre.")
P2 = "The company employs 2,000 people in the country."
ARTICLE = f"""<html><head><title>Nvidia to invest $12bn in Vietnam</title></head><body>
<article><h1>Nvidia to invest $12bn in Vietnam</h1>
<p>{P0}</p><p>{P1}</p><p>{P2}</p></article></body></html>
"""

GOOD: dict[str, Any] = {"bullets": ["Nvidia sẽ đầu tư 12 tỷ USD vào Việt Nam trong 5 năm.",
                    "Jensen Huang cho biết 40% số tiền dành cho trung tâm nghiên cứu mới.",
                    "Nvidia có 2.000 nhân viên tại Việt Nam."],
        "summary": "Nvidia đặt cược 12 tỷ USD vào Việt Nam, khoản đầu tư lớn nhất ở Đông Nam Á."}
CHANGED = {**GOOD, "bullets": [GOOD["bullets"][0].replace("12 tỷ", "15 tỷ"),
                               *GOOD["bullets"][1:]]}


class FakeWriter(FakeServer):
    """POST /v1/chat/completions answering with `self.content` (a dict is sent as JSON).
    `reject_format`: a server that refuses response_format with 400, like an older one."""

    content: Any = GOOD
    reject_format = False

    def answer(self, path: str, payload: Any) -> tuple[int, bytes]:
        if path != "/v1/chat/completions":
            return 404, b'{"error": {"message": "not found"}}'
        if self.reject_format and "response_format" in payload:
            return 400, b'{"error": {"message": "unknown field response_format"}}'
        content = self.content if isinstance(self.content, str) else json.dumps(
            self.content, ensure_ascii=False)
        reply = {"id": "x", "object": "chat.completion", "model": payload["model"],
                 "choices": [{"index": 0, "finish_reason": "stop",
                              "message": {"role": "assistant", "content": content}}]}
        return 200, json.dumps(reply).encode()


@pytest.fixture
def writer_server() -> Iterator[FakeWriter]:
    server = FakeWriter()
    yield server
    server.close()


@pytest.fixture
def setup(tmp_path: Path, writer_server: FakeWriter) -> tuple[Path, Path, str]:
    """(config, database, article id): the article fetched from a file, the writer on."""
    page = tmp_path / "news" / "nvidia.html"
    page.parent.mkdir()
    page.write_text(ARTICLE, encoding="utf-8")
    config = tmp_path / "briefing.toml"
    config.write_text(f"""
[briefing]
writer = "llm"
writer_timeout = 60

[translation]
target = "vi"

[translation.openai]
base_url = "{writer_server.url}/v1"
model = "test-writer"
api_key_env = ""
""", encoding="utf-8")
    db = tmp_path / "b.db"
    code, out, err = run(config, db, "fetch", str(page), "--quiet")
    assert code == 0, err
    code, out, err = run(config, db, "list", "--json")
    (item,) = json.loads(out)
    return config, db, item["id"]


def run(config: Path, db: Path, *args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(cli, ["--config", str(config), "--db", str(db), *args])
    return res.exit_code, res.stdout, res.stderr


def subprocess_run(config: Path, db: Path, *args: str, timeout: float = 120
                   ) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "briefing", "--config", str(config),
                           "--db", str(db), *args], capture_output=True, text=True,
                          timeout=timeout, env=env, check=False)


def _brief_json(config: Path, db: Path, *args: str) -> dict[str, Any]:
    code, out, err = run(config, db, "brief", "--format", "json", *args)
    assert code == 0, err
    (post,) = json.loads(out)["stories"]
    return dict(post)


# -- end to end --------------------------------------------------------------------------------


def test_written_bullets_are_stored_and_briefed_with_basis_writer(
        setup: tuple[Path, Path, str], writer_server: FakeWriter) -> None:
    config, db, article_id = setup
    code, out, err = run(config, db, "write", article_id)
    assert code == 0, err
    assert out.startswith(f"{article_id}  vi  3 bullets  llm/test-writer\n")
    assert "⚠" not in out
    _path, _headers, payload = writer_server.requests[-1]
    assert payload["response_format"]["type"] == "json_schema"
    schema = payload["response_format"]["json_schema"]["schema"]
    assert schema["required"] == ["bullets", "summary"]
    assert schema["additionalProperties"] is False
    assert payload["model"] == "test-writer"
    assert "Vietnamese" in payload["messages"][0]["content"]
    assert P1 in payload["messages"][1]["content"]  # the cleaned original, whole paragraphs
    post = _brief_json(config, db)
    assert post["basis"] == "writer" and post["lang"] == "vi" and post["note"] == ""
    assert [b["text"] for b in post["bullets"]] == GOOD["bullets"]
    assert all(b["flags"] == [] for b in post["bullets"])
    assert post["summary"]["text"] == GOOD["summary"]
    code, out, err = run(config, db, "brief", "--format", "text")
    assert out.splitlines()[:4] == [*(f"- {b}" for b in GOOD["bullets"]),
                                    f"📌 {GOOD['summary']}"]
    shown = json.loads(run(config, db, "show", article_id, "--json")[1])
    (written,) = shown["written"]
    assert written["lang"] == "vi" and written["model"] == "test-writer"
    assert [b["text"] for b in written["bullets"]] == GOOD["bullets"]


def test_a_changed_figure_is_flagged_everywhere_and_left_out_by_strict(
        setup: tuple[Path, Path, str], writer_server: FakeWriter) -> None:
    config, db, article_id = setup
    writer_server.content = CHANGED
    code, out, err = run(config, db, "write", article_id)
    assert code == 0, err
    assert "1 flagged" in out.splitlines()[0]
    assert "  ⚠ bullet 1: 15 tỷ USD is not in the original" in out.splitlines()
    shown = json.loads(run(config, db, "show", article_id, "--json")[1])
    flags = [b["flags"] for b in shown["written"][0]["bullets"]]
    assert flags == [[{"kind": "figure", "text": "15 tỷ USD",
                       "message": "15 tỷ USD is not in the original"}], [], []]
    post = _brief_json(config, db)
    assert [len(b["flags"]) for b in post["bullets"]] == [1, 0, 0]
    assert post["bullets"][0]["flags"][0]["message"] == "15 tỷ USD is not in the original"
    code, md, err = run(config, db, "brief")
    lines = md.splitlines()
    at = lines.index(f"- {CHANGED['bullets'][0]}\\")
    assert lines[at + 1] == "  ⚠ 15 tỷ USD is not in the original"
    code, text, err = run(config, db, "brief", "--format", "text")
    assert text.splitlines()[:2] == [f"- {CHANGED['bullets'][0]}",
                                     "  ⚠ 15 tỷ USD is not in the original"]
    strict = _brief_json(config, db, "--strict")
    assert [b["text"] for b in strict["bullets"]] == CHANGED["bullets"][1:]
    code, md, err = run(config, db, "brief", "--strict")
    assert "15 tỷ" not in md and CHANGED["bullets"][1] in md


def test_writing_again_replaces_the_digest(setup: tuple[Path, Path, str],
                                          writer_server: FakeWriter) -> None:
    config, db, article_id = setup
    writer_server.content = CHANGED
    assert run(config, db, "write", article_id)[0] == 0
    writer_server.content = GOOD
    assert run(config, db, "write", article_id)[0] == 0
    shown = json.loads(run(config, db, "show", article_id, "--json")[1])
    (written,) = shown["written"]
    assert [b["text"] for b in written["bullets"]] == GOOD["bullets"]
    assert all(not b["flags"] for b in written["bullets"])


def test_a_reply_that_is_not_the_json_asked_for_is_one_error_and_stores_nothing(
        setup: tuple[Path, Path, str], writer_server: FakeWriter) -> None:
    config, db, article_id = setup
    writer_server.content = "Sure! Nvidia is investing a lot of money in Vietnam."
    res = subprocess_run(config, db, "write", article_id)
    assert res.returncode == 1
    assert res.stdout == ""
    (line,) = res.stderr.splitlines()
    assert line.startswith(f"briefing: {article_id}: writer (test-writer) at "
                           f"{writer_server.url}/v1/chat/completions: the reply is not the "
                           "JSON asked for")
    assert json.loads(run(config, db, "show", article_id, "--json")[1])["written"] == []
    assert _brief_json(config, db)["basis"] != "writer"


@pytest.mark.parametrize("content, reason", [
    ({"bullets": "one string", "summary": "x"}, "no list of bullets"),
    ({"bullets": ["a", 3], "summary": "x"}, "bullet 2 is int, not text"),
    ({"bullets": [], "summary": "x"}, "no bullets"),
    ({"bullets": ["a"] * (MAX_BULLETS + 1), "summary": "x"}, "more than"),
    ({"bullets": ["a" * 5000], "summary": "x"}, "bullet 1 is 5000 characters"),
    ({"bullets": ["a"], "summary": "  "}, "summary is empty"),
    ({"bullets": ["a"]}, "summary is missing"),
    (["a", "b"], "JSON list, not an object"),
])
def test_wrong_shapes_are_refused_with_the_reason(
        setup: tuple[Path, Path, str], writer_server: FakeWriter, content: Any,
        reason: str) -> None:
    config, db, article_id = setup
    writer_server.content = content
    code, out, err = run(config, db, "write", article_id)
    assert code == 1 and out == ""
    assert reason in err and err.count("\n") == 1
    assert json.loads(run(config, db, "show", article_id, "--json")[1])["written"] == []


def test_a_server_rejecting_response_format_is_asked_again_without_it(
        setup: tuple[Path, Path, str], writer_server: FakeWriter) -> None:
    config, db, article_id = setup
    writer_server.reject_format = True
    writer_server.content = "```json\n" + json.dumps(GOOD, ensure_ascii=False) + "\n```"
    code, _out, err = run(config, db, "write", article_id)
    assert code == 0, err
    sent = [r[2] for r in writer_server.requests if r[0] == "/v1/chat/completions"]
    assert ["response_format" in p for p in sent] == [True, False]
    assert _brief_json(config, db)["basis"] == "writer"


def test_a_slow_server_meets_the_deadline(tmp_path: Path, setup: tuple[Path, Path, str],
                                          writer_server: FakeWriter) -> None:
    config, db, article_id = setup
    config.write_text(config.read_text().replace("writer_timeout = 60", "writer_timeout = 2"))
    writer_server.mode = "stall"
    res = subprocess_run(config, db, "write", article_id, article_id)
    assert res.returncode == 1
    (line,) = res.stderr.splitlines()  # one request: the deadline stops the batch
    assert line == (f"briefing: {article_id}: writer (test-writer) at {writer_server.url}"
                    "/v1/chat/completions: timed out after 2s")
    assert writer_server.calls == 1


def test_the_extractive_writer_writes_nothing(setup: tuple[Path, Path, str],
                                              writer_server: FakeWriter) -> None:
    config, db, article_id = setup
    config.write_text(config.read_text().replace('writer = "llm"', 'writer = "extractive"'))
    res = subprocess_run(config, db, "write", article_id)
    assert res.returncode == 3
    assert 'writer = "llm"' in res.stderr and writer_server.calls == 0


def test_brief_ignores_written_digests_with_the_extractive_writer(
        setup: tuple[Path, Path, str]) -> None:
    config, db, article_id = setup
    assert run(config, db, "write", article_id)[0] == 0
    config.write_text(config.read_text().replace('writer = "llm"', 'writer = "extractive"'))
    assert _brief_json(config, db, "--lang", "vi")["basis"] == "original"


# -- the figure guard and the reply parser, on their own -----------------------------------------


def _article() -> Article:
    paragraphs = (Paragraph(0, P0, "en"), Paragraph(1, P1, "en"), Paragraph(2, P2, "en"))
    facts = (Fact("org", "Nvidia", "Nvidia", "", 0, 0, 6),
             Fact("person", "Jensen Huang", "Jensen Huang", "", 1, 0, 12))
    return Article("a1", "https://example.com/a", "https://example.com/feed",
                   "Nvidia to invest $12bn in Vietnam", "\n\n".join(p.text for p in paragraphs),
                   paragraphs, language="en", facts=facts)


@pytest.mark.parametrize("text, lang, flagged", [
    ("Nvidia sẽ đầu tư 12 tỷ USD vào Việt Nam.", "vi", []),
    ("Nvidia will invest $12 billion in Vietnam.", "en", []),
    ("Nvidia sẽ đầu tư 15 tỷ USD vào Việt Nam.", "vi", ["15 tỷ USD"]),
    ("Nvidia will invest $15bn.", "en", ["$15bn"]),
    ("40% số tiền; 2.000 nhân viên.", "vi", []),
    ("45% số tiền dành cho 3.000 nhân viên.", "vi", ["45%", "3.000"]),
    ("Ông Jensen Huang nói tại Hà Nội.", "vi", []),
    ("JENSEN HUANG and nvidia's chips.", "en", []),
    ("Ông Phạm Minh Chính gặp Jensen Huang.", "vi", ["Phạm Minh Chính"]),
    ("Samsung cũng đầu tư.", "vi", ["Samsung"]),
])
def test_the_guard_flags_figures_and_names_the_original_lacks(
        text: str, lang: str, flagged: list[str]) -> None:
    found = guard.check(text, lang, guard.original(_article()))
    assert [f.text for f in found] == flagged


def test_names_match_without_case_or_diacritics() -> None:
    art = _article()
    art = Article(**{**art.__dict__, "paragraphs": (
        *art.paragraphs, Paragraph(3, "Prime Minister Pham Minh Chinh met him.", "en"))})
    assert guard.check("Thủ tướng Phạm Minh Chính gặp ông.", "vi", guard.original(art)) == ()


def test_digest_keeps_flags_per_bullet_and_on_the_summary() -> None:
    draft = Draft(("Nvidia sẽ đầu tư 12 tỷ USD.", "Samsung đầu tư 15 tỷ USD."),
                  "Khoản đầu tư 20 tỷ USD.")
    d = digest(_article(), draft, "vi", engine="llm", model="m")
    assert [[f.message for f in b.flags] for b in d.bullets] == [
        [], ["Samsung is not in the original", "15 tỷ USD is not in the original"]]
    assert [f.text for f in d.summary_flags] == ["20 tỷ USD"]
    assert d.flagged == 2


@pytest.mark.parametrize("content", [
    json.dumps(GOOD),
    "```json\n" + json.dumps(GOOD) + "\n```",
    "<think>JSON it is.</think>\n" + json.dumps(GOOD),
    "Here you are:\n```\n" + json.dumps(GOOD) + "\n```\n",
])
def test_plain_and_fenced_json_replies_are_read(content: str) -> None:
    assert parse_reply(content) == Draft(tuple(GOOD["bullets"]), GOOD["summary"])


def test_reply_text_is_sanitised() -> None:
    got = parse_reply(json.dumps({"bullets": ["- \x1b]0;pwned\x07Nvidia  invests"],
                                  "summary": "ok\x1b[2J"}))
    assert got == Draft(("Nvidia invests",), "ok")


def test_not_json_is_refused() -> None:
    with pytest.raises(WriterError, match="not the JSON asked for"):
        parse_reply("Nvidia is investing.")


def test_only_whole_paragraphs_are_sent_and_the_prompt_says_what_is_left_out() -> None:
    art = _article()
    text = user_message(art, len(art.title) + len(P0) + 40)
    assert P0 in text and P1 not in text
    assert "2 of its 3 paragraphs" in text
    assert "left out" not in user_message(art, 10_000)


def test_a_digest_goes_with_its_article(setup: tuple[Path, Path, str]) -> None:
    from briefing.store import Store, written_store

    config, db, article_id = setup
    writer_text = run(config, db, "write", article_id)
    assert writer_text[0] == 0, writer_text[2]
    with Store(db) as store:
        assert len(written_store.get(store, article_id, "vi")) == 1
        with store.write() as c:
            c.execute("DELETE FROM articles WHERE id = ?", (article_id,))
        assert written_store.get(store, article_id) == []
        count = store.conn.execute("SELECT count(*) FROM written_digests").fetchone()[0]
    assert count == 0


def test_a_flagged_summary_is_marked_in_markdown_and_left_out_by_strict(
        setup: tuple[Path, Path, str], writer_server: FakeWriter) -> None:
    from markdown_it import MarkdownIt

    config, db, article_id = setup
    writer_server.content = {**CHANGED, "summary": "Khoản đầu tư 20 tỷ USD của Samsung."}
    assert run(config, db, "write", article_id)[0] == 0
    code, md, err = run(config, db, "brief")
    assert code == 0, err
    html = MarkdownIt("commonmark").render(md)
    # Still one list of three bullets; each marker is a line inside its own bullet or paragraph.
    assert html.count("<li>") == 3
    assert "5 năm.<br />\n⚠ 15 tỷ USD is not in the original</li>" in html
    assert ("Samsung.<br />\n⚠ 20 tỷ USD is not in the original<br />\n"
            "⚠ Samsung is not in the original</p>") in html
    strict = _brief_json(config, db, "--strict")
    assert strict["summary"] == {"text": "", "facts": [], "flags": []}
    assert len(strict["bullets"]) == 2


def test_the_guard_reads_the_original_only_as_far_as_its_cap() -> None:
    from briefing.tagger import TAGGED_CHARS

    filler = "The harbour was quiet all week, and the boats stayed in. " * 20
    count = TAGGED_CHARS // len(filler) + 2
    paragraphs = tuple(Paragraph(i, filler, "en") for i in range(count))
    late = Paragraph(count, "In the end the port spent $77bn.", "en")
    art = Article("big", "https://example.com/b", "https://example.com/feed", "The port",
                  "", (*paragraphs, late), language="en")
    # Past the cap (which is more than the writer ever sends) the text is not read: a 15 MB
    # article costs what its first part costs.
    assert [f.text for f in guard.check("77 tỷ USD", "vi", guard.original(art))] == ["77 tỷ USD"]
    wide = guard.original(art, TAGGED_CHARS + len(filler) * 3)
    assert guard.check("77 tỷ USD", "vi", wide) == ()


def test_seed_post_bullets_pass_the_guard_and_a_changed_figure_does_not(
        tmp_path: Path, writer_server: FakeWriter) -> None:
    """Seed 000 (the English original) written up as seed 004's Vietnamese bullets and summary
    (read from the seed at test time): none is flagged, until one bullet says 15 tỷ USD for
    the original's $12bn."""
    import shutil

    from tests.conftest import SEED_000, SEED_004, seed

    folder = tmp_path / "seed"
    folder.mkdir()
    shutil.copy(seed(SEED_000), folder / SEED_000)
    raw = seed(SEED_004).read_text(encoding="utf-8").splitlines()
    bullets = [line[2:] for line in raw if line.startswith("- ")]
    summary = next(line.removeprefix("📌").strip() for line in raw if line.startswith("📌"))
    assert "12 tỷ USD" in bullets[0]
    config = tmp_path / "c.toml"
    config.write_text(f'[briefing]\nwriter = "llm"\n[translation.openai]\nbase_url = '
                      f'"{writer_server.url}/v1"\nmodel = "m"\napi_key_env = ""\n')
    db = tmp_path / "s.db"
    assert run(config, db, "fetch", str(folder), "--quiet")[0] == 0
    (item,) = json.loads(run(config, db, "list", "--json")[1])
    writer_server.content = {"bullets": bullets, "summary": summary}
    code, out, err = run(config, db, "write", item["id"])
    assert code == 0 and "flagged" not in out, (out, err)
    assert all(not b["flags"] for b in _brief_json(config, db)["bullets"])
    writer_server.content = {"bullets": [bullets[0].replace("12 tỷ USD", "15 tỷ USD"),
                                         *bullets[1:]], "summary": summary}
    code, out, err = run(config, db, "write", item["id"])
    assert code == 0 and "  1 flagged" in out.splitlines()[0], (out, err)
    post = _brief_json(config, db)
    assert [bool(b["flags"]) for b in post["bullets"]] == [True] + [False] * (len(bullets) - 1)
    strict = _brief_json(config, db, "--strict")
    assert [b["text"] for b in strict["bullets"]] == bullets[1:]
