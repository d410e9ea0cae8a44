"""Word boundaries in the shown text (Unicode's rules, through Qt): snapping a dragged
selection to whole words, and moving a coding's edges a word at a time.

Positions are the document's UTF-16 positions; the view converts them to code points.
"""

from __future__ import annotations

from PySide6.QtCore import QTextBoundaryFinder
from PySide6.QtGui import QTextCursor, QTextDocument

_SPACE = {"\u2029", "\u2028"}  # Qt's paragraph and line separators


def _is_space(doc: QTextDocument, u16: int) -> bool:
    ch = doc.characterAt(u16)
    return ch.isspace() or ch in _SPACE


def _boundary(doc: QTextDocument, u16: int, forward: bool) -> int:
    """``u16`` when it is between words, else the edge of the word it falls in."""
    block = doc.findBlock(u16)
    if not block.isValid():
        return u16
    rel = u16 - block.position()
    finder = QTextBoundaryFinder(QTextBoundaryFinder.BoundaryType.Word, block.text())
    finder.setPosition(rel)
    if finder.isAtBoundary():
        return u16
    moved = finder.toNextBoundary() if forward else finder.toPreviousBoundary()
    return u16 if moved < 0 else block.position() + moved


def snap_to_words(doc: QTextDocument, a16: int, b16: int) -> tuple[int, int]:
    """Widen [a16, b16) to whole words, then drop the spaces at either end."""
    if b16 <= a16:
        return a16, b16
    a, b = _boundary(doc, a16, False), _boundary(doc, b16, True)
    while a < b and _is_space(doc, a):
        a += 1
    while b > a and _is_space(doc, b - 1):
        b -= 1
    return (a, b) if b > a else (a16, b16)


def word_edge(doc: QTextDocument, u16: int, edge: str, grow: bool) -> int:
    """Where a coding's ``edge`` ("start" or "end") at ``u16`` moves by one word.

    Growing takes in the next word outwards (punctuation counts as a word); shrinking gives
    up the outermost word with the spaces before it.
    """
    c = QTextCursor(doc)
    c.setPosition(u16)
    op = QTextCursor.MoveOperation
    if edge == "start" and grow:
        c.movePosition(op.PreviousWord)
        return c.position()
    if edge == "start":
        c.movePosition(op.NextWord)
        return c.position()
    if grow:
        start = c.position()
        c.movePosition(op.EndOfWord)
        if c.position() == start:
            c.movePosition(op.NextWord)
            c.movePosition(op.EndOfWord)
        return c.position()
    c.movePosition(op.PreviousWord)
    pos = c.position()
    while pos > 0 and _is_space(doc, pos - 1):
        pos -= 1
    return pos
