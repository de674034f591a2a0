"""Where articles come from: HTTP (the only network code), feed bytes, local files, OPML."""
