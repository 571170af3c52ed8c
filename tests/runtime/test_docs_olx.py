"""Every OLX example in the documentation is parsed by the real XBlock runtime and is valid.

Each ``.. code-block:: xml`` of ``docs/*.rst`` whose root element is one of our blocks is
parsed with the workbench runtime (as a course import would), must pass the block's own
``validate()`` (what Studio shows), must load its content, and must survive an export and a
re-import unchanged.  So the author guide cannot drift from the code.  The same holds for a
code block in any language whose root is one of our blocks, and for a whole element written
inline in the text (````<data_security_quiz draw_mode="per_topic"/>````); a page that shows
an element of our blocks anywhere else fails.
"""
from __future__ import annotations

import re

import pytest
from lxml import etree

from tests.unit.docs.rst_examples import Example, all_examples, pages

TAGS = ("competency_self_assessment", "data_security_quiz", "atlas_lookup")


def _root_tag(text: str) -> str | None:
    try:
        return etree.fromstring(text.encode("utf-8")).tag
    except etree.XMLSyntaxError:
        return None


#: Where an element of one of our blocks starts (not ``<atlas_lookup>`` naming the tag).
_TAGS = "|".join(TAGS)
ELEMENT = re.compile(rf"<(?:{_TAGS})(?=[\s/])")
#: A whole element written as an inline literal, possibly wrapped over lines.
INLINE = re.compile(rf"``(<(?:{_TAGS})(?:\s[^`]*?)?/>)``")


def inline_examples() -> list[Example]:
    found = []
    for path in pages():
        text = path.read_text(encoding="utf-8")
        for match in INLINE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(Example(path.name, line, "inline", f"olx-inline-{line}",
                                 " ".join(match.group(1).split()) + "\n"))
    return found


BLOCK_EXAMPLES = [e for e in all_examples()
                  if e.kind == "olx-" or _root_tag(e.text) in TAGS]
INLINE_EXAMPLES = inline_examples()
OLX = BLOCK_EXAMPLES + INLINE_EXAMPLES


def test_every_block_has_a_worked_example():
    shown = {_root_tag(e.text) for e in BLOCK_EXAMPLES}
    assert set(TAGS) <= shown, f"no OLX example for {sorted(set(TAGS) - shown)}"
    for example in BLOCK_EXAMPLES:
        assert example.kind == "olx-", f"{example.where()}: name OLX examples olx-..."


def test_every_element_of_our_blocks_in_the_docs_is_a_checked_example():
    assert INLINE_EXAMPLES, "the inline reader finds nothing"
    for path in pages():
        text = path.read_text(encoding="utf-8")
        mine = [e for e in OLX if e.page == path.name]
        shown = len(ELEMENT.findall(text))
        checked = sum(len(ELEMENT.findall(e.text)) for e in mine)
        assert shown == checked, \
            f"docs/{path.name}: {shown} elements of our blocks, {checked} of them in checked " \
            "examples (write OLX as a named code-block or as one whole inline element)"


def test_the_inline_reader_joins_wrapped_elements():
    text = ('The demo uses ``<data_security_quiz display_name="A\n   B"/>``, ``<atlas_lookup/>``'
            ' and ``<atlas_lookup>``.')
    assert [m.group(1) for m in INLINE.finditer(text)] == \
        ['<data_security_quiz display_name="A\n   B"/>', "<atlas_lookup/>"]
    assert len(ELEMENT.findall(text)) == 2


def _check_content(block) -> None:
    """Load what the block will show, as a learner's first request would."""
    tag = block.scope_ids.block_type
    if tag == "competency_self_assessment":
        content = block.content()
        assert content.roles and content.profiles
    elif tag == "data_security_quiz":
        bank = block.question_bank()
        assert block.max_score() and len(bank.questions) >= 1
    else:
        state = block.atlas_state()
        assert state.atlas is not None and state.error is None, state.error
        if block.mode == "exercise":
            problems = block.exercise_content().problems_with(state.atlas)
            assert [p.render() for p in problems] == []


@pytest.mark.parametrize("example", OLX, ids=[e.where() for e in OLX])
def test_olx_example_parses_and_validates(_django, example):
    from xblock.fields import Scope

    from tests.helpers.workbench import export_olx, parse_olx

    block = parse_olx(example.text)
    assert block.scope_ids.block_type == _root_tag(example.text)
    messages = [m.text for m in block.validate().messages]
    assert messages == [], f"{example.where()}: {messages}"
    _check_content(block)
    # Every attribute the example sets reached a field (no typo is silently ignored).
    root = etree.fromstring(example.text.encode("utf-8"))
    for name in root.attrib:
        assert name in block.fields and block.fields[name].is_set_on(block), \
            f"{example.where()}: attribute {name!r} is not a field of the block"
    for child in root:
        name = etree.QName(child).localname
        assert name in block.fields and getattr(block, name), \
            f"{example.where()}: <option:{name}> did not reach a field"
    # A course export of the block gives the same block back.
    again = parse_olx(export_olx(block))
    for name, field in block.fields.items():
        if field.scope in (Scope.content, Scope.settings) and name not in ("parent", "children"):
            assert getattr(again, name) == getattr(block, name), \
                f"{example.where()}: {name} changed in an export round trip"
