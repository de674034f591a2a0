"""Store.next_unread: the query behind the reader's `n` (newsboat's next unread)."""

from __future__ import annotations

from pathlib import Path

from briefing.models import Article, Paragraph
from briefing.store import ArticleFilter, Store


def _article(aid: str, published: str, source: str) -> Article:
    return Article(id=aid, url=f"https://x.example/{aid}", source=source, title=aid,
                   text=f"Text of {aid}.", paragraphs=(Paragraph(0, f"Text of {aid}.", "en"),),
                   language="en", published=published, content_hash=f"h-{aid}")


def test_next_unread_follows_the_list_order(db_file: Path) -> None:
    a, b = "https://a.example/feed", "https://b.example/feed"
    with Store(db_file) as store:
        for aid, day, source in (("a1", 5, a), ("a2", 4, a), ("b1", 4, b), ("b2", 4, b),
                                 ("a3", 3, a), ("b3", 2, b), ("a4", 1, a)):
            store.save_article(_article(aid, f"2026-06-0{day}T08:00:00+00:00", source))
        order = [x.id for x in store.list_articles()]
        assert order == ["a1", "a2", "b1", "b2", "a3", "b3", "a4"]
        store.set_read("b1")
        store.set_read("a3")

        def walk(flt: ArticleFilter | None, start: str) -> list[str]:
            seen: list[str] = []
            current = start
            while True:
                art = next(x for x in store.list_articles(flt) if x.id == current)
                nxt = store.next_unread(flt, art.published, art.id)
                if nxt is None:
                    return seen
                seen.append(nxt)
                current = nxt

        # Ties in time go by id, as the list shows them; read articles are skipped.
        assert walk(None, "a1") == ["a2", "b2", "b3", "a4"]
        assert walk(ArticleFilter(source=a), "a1") == ["a2", "a4"]
        assert walk(ArticleFilter(source=b), "b1") == ["b2", "b3"]
        assert store.next_unread(None, "2026-06-01T08:00:00+00:00", "a4") is None
