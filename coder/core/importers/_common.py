"""Helpers shared by the readers: error messages and decoding bytes of unknown encoding."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from coder.core.errors import ImportFailed

# Control characters that do not occur in text files (tab, LF, VT, FF, CR are fine).
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
_BINARY_SAMPLE = 65536
_BINARY_RATIO = 0.02

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian BOM begins with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def fail(path: Path, reason: str) -> ImportFailed:
    """An ImportFailed whose one-line message names the file."""
    return ImportFailed(f"Cannot import '{path.name}': {reason}")


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when the bytes look like BOM-less UTF-16 of mostly Latin text."""
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even_nul = sample[0::2].count(0) / (len(sample) // 2)
    odd_nul = sample[1::2].count(0) / (len(sample) // 2)
    if odd_nul > 0.4 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.4 and odd_nul < 0.05:
        return "utf-16-be"
    return None


# Regional code pages that charset-normalizer tells apart reliably; any other guess for a
# single-byte file (cp1006, mac_roman, cp437, ...) is usually a misreading of short cp1252 text.
_TRUSTED = frozenset(
    "cp1250 cp1251 cp1253 cp1254 cp1255 cp1256 cp1257 cp1258 cp874 koi8_r koi8_u "
    "iso8859_2 iso8859_5 iso8859_7 iso8859_8 iso8859_9 iso8859_13 iso8859_15 "
    "shift_jis cp932 euc_jp iso2022_jp gb2312 gbk gb18030 big5 big5hkscs euc_kr cp949 johab".split()
)


def _guess(data: bytes) -> str | None:
    """Best guess at a legacy encoding, or None when the bytes do not look like text."""
    import charset_normalizer

    results = charset_normalizer.from_bytes(data)
    best = results.best()
    if best is None:
        return None
    chaos = {r.encoding: r.chaos for r in results}
    # Short Western texts are ambiguous between the Windows code pages; cp1252 is by far the
    # most common legacy encoding of the transcripts we get, so it wins a near tie.
    if "cp1252" in chaos and chaos["cp1252"] <= best.chaos + 0.1:
        return "cp1252"
    if best.encoding in _TRUSTED:
        return str(best.encoding)
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return str(best.encoding)
    return "cp1252"


def decode_text(path: Path, data: bytes) -> tuple[str, tuple[str, ...]]:
    """Decode the bytes of a text file: BOM, then UTF-8, then a guessed legacy encoding.

    Returns the text and warnings for the person importing (bytes replaced). Raises
    ImportFailed for bytes that are not text (binary data, undecodable bytes).
    """
    text, warnings = _decode(path, data)
    sample = text[:_BINARY_SAMPLE]
    if sample and len(_CONTROL.findall(sample)) / len(sample) > _BINARY_RATIO:
        raise fail(path, "the file looks like binary data, not text")
    return text, warnings


def _decode(path: Path, data: bytes) -> tuple[str, tuple[str, ...]]:
    encoding: str | None
    for bom, name in _BOMS:
        if data.startswith(bom):
            encoding = name
            data = data[len(bom) :]
            break
    else:
        # Before UTF-8: BOM-less UTF-16 of ASCII text is valid (NUL-riddled) UTF-8 too.
        encoding = _utf16_without_bom(data)
        if encoding is None:
            try:
                return data.decode("utf-8"), ()
            except UnicodeDecodeError as error:
                mostly = _mostly_utf8(data, error.start)
            if mostly is not None:
                return mostly
            encoding = _guess(data)
        if encoding is None:
            raise fail(path, "the file looks like binary data, not text")
    try:
        return data.decode(encoding), ()
    except (UnicodeDecodeError, LookupError):
        raise fail(path, f"the file is not valid {encoding} text") from None


# A well-formed UTF-8 sequence of two to four bytes (RFC 3629: no overlongs, no surrogates).
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_REPLACEMENT = "\ufffd"


def _mostly_utf8(data: bytes, first_bad: int) -> tuple[str, tuple[str, ...]] | None:
    """UTF-8 with a few bad bytes: the text with each replaced by U+FFFD, and a warning.

    A file counts as UTF-8 when its well-formed multi-byte sequences (accented letters, any
    non-ASCII text) outnumber its bad bytes; a file in a single-byte code page has next to no
    well-formed sequences, so it is left to the encoding guess (None).
    """
    valid = sum(1 for _ in _UTF8_MULTIBYTE.finditer(data))
    if not valid:
        return None
    text = data.decode("utf-8", "replace")
    bad = text.count(_REPLACEMENT) - data.count(_REPLACEMENT.encode("utf-8"))
    if bad > valid:
        return None
    before = data[:first_bad].decode("utf-8")
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    what = "byte that is" if bad == 1 else "bytes that are"
    verb = "was" if bad == 1 else "were"
    return text, (
        f"{bad} {what} not valid UTF-8 {verb} replaced by U+FFFD "
        f"(first at line {line}, column {column})",
    )
