"""Large static tables as one Dash component: escaped markup that dcc.Markdown renders as elements.

Every Dash component is a React component wrapped by dash-renderer and told of every store
update; a table of 700 cells as html.Td costs the browser about a second to render on these
screens. Written as markup inside one dcc.Markdown (dangerously_allow_html: its JSX parser turns
the block into plain React elements, and `<dccLink>` into dcc.Link, so a drill link still
navigates in the page), the same table is one component. Everything put in is escaped here:
HTML's `< > & "` and JSX's `{ }`, so data can never become markup or an expression.
"""
from __future__ import annotations

from html import escape

from dash import dcc

# JSX reads `{...}` in text and attributes as an expression: entities keep them text.
_JSX = str.maketrans({"{": "&#123;", "}": "&#125;"})


def esc(value: object) -> str:
    """Text or an attribute value, escaped for HTML and for the JSX parser."""
    return escape(str(value), quote=True).translate(_JSX)


def tag(name: str, *children: str, **attrs: object) -> str:
    """`<name attrs>children</name>`; children are markup already (use esc for text).

    Attribute names are JSX's (className, colSpan); None and False leave one out, and a
    trailing underscore is dropped (class_ -> class) for Python's keywords.
    """
    parts = [name]
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        parts.append(f'{key.rstrip("_").replace("_", "-")}="{esc(value)}"')
    return f"<{' '.join(parts)}>{''.join(children)}</{name}>"


def link(text: str, href: str, title: str | None = None) -> str:
    """A dcc.Link inside the markup: navigates in the page as the component does."""
    return tag("dccLink", esc(text), href=href, title=title)


def block(markup: str, id: str | None = None, className: str | None = None) -> dcc.Markdown:
    """One component showing `markup` (one block: no blank line, starting with a block tag)."""
    if "\n\n" in markup:
        raise ValueError("markup must be one block: a blank line would end it")
    extra = {k: v for k, v in (("id", id), ("className", className)) if v is not None}
    return dcc.Markdown(markup, dangerously_allow_html=True, **extra)
