"""The post `c` copies: the article's own briefing post, in the shape `briefing brief
--format text --full` writes (seed 004's: bullets, 📌 summary, link, hashtag, translation,
original), in the reader's language. No Textual here: a worker thread calls it."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from briefing import brief, stories
from briefing.models import Story, StoryMember

if TYPE_CHECKING:
    from briefing.config import Settings
    from briefing.store import Store


def post_text(store: Store, settings: Settings, article_id: str) -> str:
    """The post with this article as its source (its link, its bullets, or a copy's in the
    reader's language when it has none), or "" when the article is gone."""
    story = stories.story_of(store, article_id)
    if story is None:
        stories.sync(store)  # stored before stories, or by a fetch that did not group
        story = stories.story_of(store, article_id)
    if story is None:
        art = store.get_article(article_id)
        if art is None:
            return ""
        member = StoryMember(art.id, art.title, art.url, art.source, art.source_title,
                             art.language, art.published or "", True)
        story = Story("", art.title, art.id, 1, art.published or "", art.published or "",
                      (member,))
    # The article the reader is on is the post's source, whichever copy the story ranks best.
    story = replace(story, best_article=article_id, members=tuple(
        replace(m, best=m.article_id == article_id) for m in story.members))
    post = brief.build(store, story, settings.translation.target, full=True,
                       writer=settings.briefing.writer == "llm")
    return brief.render_text([post]) if post is not None else ""
