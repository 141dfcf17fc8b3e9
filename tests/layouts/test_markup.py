"""Markup blocks: data stays text (HTML and JSX escaped), one block, links as dcc.Link."""
from __future__ import annotations

import pytest

from layouts.markup import block, esc, link, tag
from tests.helpers import markup_of, text_of


def test_data_never_becomes_markup_nor_an_expression() -> None:
    hostile = '<img src=x onerror="alert(1)"> {window.x} & "q" \'s'
    assert esc(hostile) == ("&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &#123;window.x&#125;"
                            " &amp; &quot;q&quot; &#x27;s")
    shown = block(tag("table", tag("tbody", tag("tr", tag("td", esc(hostile), title=hostile)))))
    cell = markup_of(shown)[0].children[0].children[0].children[0]
    assert cell.tag == "td" and cell.children == [hostile] and cell.title == hostile
    assert text_of(shown) == hostile


def test_attributes_and_links() -> None:
    row = tag("tr", tag("td", link("Hà Nội", "/reporting?agency=T34_01", title="T34_01")),
              id="rep-row-T34_01", className=None, colSpan=3)
    assert row == ('<tr id="rep-row-T34_01" colSpan="3"><td><dccLink href="/reporting?agency='
                   'T34_01" title="T34_01">Hà Nội</dccLink></td></tr>')


def test_a_blank_line_would_end_the_block() -> None:
    with pytest.raises(ValueError):
        block("<table>\n\n</table>")
