"""A new code's colour sets it apart from the codes beside it."""

from __future__ import annotations

from coder.core.project import PALETTE, Project
from coder.core.services.codebook import pick_color


def _color(p: Project, name: str, parent: int | None = None) -> tuple[int, str]:
    code_id = p.add_code(name, parent_id=parent).created("codes")[0]
    return code_id, p.code(code_id).color


def test_siblings_get_different_colours(fresh_project: Project) -> None:
    p = fresh_project
    colors = [_color(p, name)[1] for name in ("Family", "Money", "Faith", "Fear")]
    assert len(set(colors)) == 4


def test_a_sub_code_differs_from_its_parent_and_its_siblings(fresh_project: Project) -> None:
    p = fresh_project
    parent, parent_color = _color(p, "Reasons")
    _color(p, "Other")
    children = [_color(p, name, parent)[1] for name in ("Money", "Faith", "Fear")]
    assert parent_color not in children and len(set(children)) == 3


def test_a_deleted_siblings_colour_is_free_again(fresh_project: Project) -> None:
    p = fresh_project
    first, color = _color(p, "Family")
    _color(p, "Money")
    p.delete_code(first)
    assert _color(p, "Faith")[1] == color


def test_when_every_colour_is_taken_the_least_used_comes_next() -> None:
    siblings = [*PALETTE, *PALETTE[:5]]
    assert pick_color(siblings) == PALETTE[5]
    assert pick_color(list(PALETTE[1:]), parent=PALETTE[0]) == PALETTE[0]


def test_an_explicit_colour_is_kept(fresh_project: Project) -> None:
    p = fresh_project
    _color(p, "Family")
    code = p.add_code("Money", color=p.codes()[0].color).created("codes")[0]
    assert p.code(code).color == p.codes()[0].color
