"""A translation that arrives as its own file beside the article it translates."""

from __future__ import annotations

from pathlib import Path

from briefing.config import Settings
from briefing.pipeline import run_fetch
from briefing.store import Store

STORY = """<html><head><title>Harbour plan approved</title></head><body><article>
<h1>Harbour plan approved</h1>
<p>The harbour authority of Port Meridian approved a $2.4bn expansion on Tuesday, adding 14
berths over the next three years and dredging the main channel to 18 metres.</p>
<p>Container traffic rose 18 per cent last year to 1.2mn boxes, officials said, and the
project would employ about 3,500 workers at its peak in 2028.</p>
<p>Critics on the city council said the plan ignored the fishing fleet, which lands about
40,000 tonnes of catch a year at the old quay.</p>
</article></body></html>"""

STORY_VI = """# Kế hoạch mở rộng cảng được phê duyệt

Chính quyền cảng Port Meridian đã phê duyệt dự án mở rộng trị giá 2,4 tỷ USD vào thứ Ba, bổ sung
14 bến trong 3 năm tới và nạo vét luồng chính xuống 18 mét.

Lượng container tăng 18% trong năm ngoái lên 1,2 triệu thùng, các quan chức cho biết, và dự án sẽ
sử dụng khoảng 3.500 công nhân vào thời kỳ cao điểm năm 2028.

Những người chỉ trích trong hội đồng thành phố nói kế hoạch bỏ qua đội tàu cá, nơi cập bến khoảng
40.000 tấn hải sản mỗi năm tại bến cũ.
"""


def test_sidecar_is_paired_not_ingested_alone(tmp_path: Path) -> None:
    (tmp_path / "story.html").write_text(STORY, encoding="utf-8")
    (tmp_path / "story.vi.md").write_text(STORY_VI, encoding="utf-8")
    store = Store(tmp_path / "x.db")
    report = run_fetch(Settings(), store, [str(tmp_path)])
    assert report.failed == [] and report.added == 1
    (summary,) = store.list_articles()
    assert summary.has_translation
    art = store.get_article(summary.id)
    assert art is not None
    (tr,) = art.translations
    assert tr.lang == "vi"
    by_paragraph = {p.paragraph: p for p in tr.pairs}
    assert by_paragraph[-1].translation == "Kế hoạch mở rộng cảng được phê duyệt"
    assert by_paragraph[0].translation.startswith("Chính quyền cảng")
    assert by_paragraph[2].translation.startswith("Những người chỉ trích")
    assert all(p.flags == () for p in tr.pairs), [p.flags for p in tr.pairs]


def test_changed_figure_in_sidecar_is_flagged(tmp_path: Path) -> None:
    (tmp_path / "story.html").write_text(STORY, encoding="utf-8")
    (tmp_path / "story.vi.txt").write_text(STORY_VI.replace("3.500", "5.300"), encoding="utf-8")
    store = Store(tmp_path / "x.db")
    run_fetch(Settings(), store, [str(tmp_path)])
    art = store.get_article(store.list_articles()[0].id)
    assert art is not None
    flagged = [p for p in art.translations[0].pairs if p.flags]
    assert [p.paragraph for p in flagged] == [1]
    assert [(f.kind, f.original, f.translation) for f in flagged[0].flags] == [
        ("changed", "3,500", "5.300")]


def test_show_json_gives_flags_as_records_and_notes_apart(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from briefing.cli import cli

    (tmp_path / "story.html").write_text(STORY, encoding="utf-8")
    # One changed figure, and a "1" the translator wrote for an article (a note, not a flag).
    changed = STORY_VI.replace("3.500", "5.300").replace("các quan chức", "1 quan chức")
    (tmp_path / "story.vi.txt").write_text(changed, encoding="utf-8")
    db = tmp_path / "x.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", str(db), "fetch", str(tmp_path), "-q"]).exit_code == 0
    (listed,) = json.loads(runner.invoke(cli, ["--db", str(db), "list", "--json"]).output)
    shown = json.loads(runner.invoke(cli, ["--db", str(db), "show", listed["id"], "--json"]).output)
    pairs = shown["translations"][0]["pairs"]
    assert [p["flags"] for p in pairs if p["flags"]] == [[{
        "kind": "changed", "text": "changed figure: 3,500 → 5.300", "original": "3,500",
        "translation": "5.300"}]]
    assert [p["notes"] for p in pairs if p["notes"]] == [[{
        "kind": "added", "text": "added figure: 1", "original": "", "translation": "1"}]]
