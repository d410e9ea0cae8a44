"""Stop words: the bundled lists by language, or a file of the user's own.

Outside the analysis queries (coder.core.query) so that the window can list the languages
without importing them.
"""

from __future__ import annotations

from pathlib import Path

from coder.core.errors import InvalidValue

# The bundled stop word lists (Snowball's, BSD licence: resources/stopwords/LICENSE).
STOPWORD_LANGUAGES = {
    "en": "english",
    "de": "german",
    "fr": "french",
    "es": "spanish",
    "pt": "portuguese",
    "nl": "dutch",
    "it": "italian",
}


def _parse_stopwords(text: str) -> set[str]:
    words = set()
    for line in text.splitlines():
        line = line.split("|", 1)[0].strip()
        for word in line.split():
            words.add(word.casefold())
    return words


def stopwords(spec: str) -> frozenset[str]:
    """A bundled list by language (``en``, ``english``...) or a file of words (one or more a
    line; ``|`` starts a comment)."""
    from coder.assets import resource

    key = spec.strip().lower()
    for code, name in STOPWORD_LANGUAGES.items():
        if key in (code, name):
            return frozenset(
                _parse_stopwords(resource("stopwords", f"{code}.txt").read_text("utf-8"))
            )
    path = Path(spec)
    if not path.is_file():
        langs = ", ".join(STOPWORD_LANGUAGES)
        raise InvalidValue(f"no stop word list '{spec}': give a language ({langs}) or a file")
    try:
        return frozenset(_parse_stopwords(path.read_text("utf-8-sig")))
    except (OSError, UnicodeDecodeError) as e:
        raise InvalidValue(f"{path.name}: cannot read the stop word list ({e})") from None
