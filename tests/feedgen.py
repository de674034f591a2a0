"""Small generated feeds for tests (our own text)."""

from __future__ import annotations

from xml.sax.saxutils import escape

# Longer than the 600-character teaser threshold, so no test item sends the pipeline off to
# fetch its (off-machine) link for the full text.
BODY = (
    "<p>The harbour authority in Port Meridian approved a $2.4bn expansion on Tuesday, "
    "adding 14 berths over three years.</p>"
    "<p>Officials said container traffic rose 18 per cent last year to 1.2mn boxes, and that "
    "the project would employ about 3,500 workers at its peak.</p>"
    "<p>The plan also includes a new rail spur to the container terminal and a 40-hectare "
    "logistics park, which the authority expects to attract warehouse operators and freight "
    "forwarders from the wider region once the first berths open.</p>"
    "<p>Fishing crews who use the old quay said they had not been consulted, and the city "
    "council asked the authority to publish its environmental study before dredging starts.</p>"
)


def rss(items: int = 3, *, base: str = "https://news.example.com", title: str = "Test feed",
        body: str = BODY, prefix: str = "story") -> bytes:
    entries = []
    for i in range(items):
        entries.append(
            f"<item><title>{escape(prefix)} {i}: harbour plan</title>"
            f"<link>{base}/{prefix}/{i}?utm_source=rss</link>"
            f"<guid>{base}/{prefix}/{i}</guid>"
            f"<pubDate>Mon, 0{1 + i % 9} Jun 2026 08:00:00 GMT</pubDate>"
            f"<category>Ports</category>"
            f"<description>{escape(body.replace('harbour', f'harbour {prefix} {i}'))}"
            f"</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>{base}/</link><description>t</description>"
        + "".join(entries) + "</channel></rss>"
    ).encode()
