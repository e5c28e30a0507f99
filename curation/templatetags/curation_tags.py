"""Template helpers for redacted text."""

import re
from collections.abc import Sequence
from typing import Any

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()
_PLACEHOLDER = re.compile(r"&lt;([A-Z][A-Z_]{1,30})&gt;")


@register.filter
def highlight_placeholders(text: str) -> SafeString:
    """Escape the text, then mark redaction placeholders such as <PERSON> for the reviewer."""
    escaped = str(conditional_escape(text))
    return mark_safe(_PLACEHOLDER.sub(r'<span class="ph">&lt;\1&gt;</span>', escaped))  # noqa: S308


@register.filter
def highlight_residual(text: str, candidates: Sequence[Any]) -> SafeString:
    """Placeholders as above, and each residual-PHI candidate in a <mark> naming its type.

    Only tags are added (the type shows through CSS), so the element's text stays exactly the
    stored text and a selection's offsets in the page are offsets in the database.
    """
    pieces: list[str] = []
    last = 0
    for c in sorted(candidates or (), key=lambda c: c.start):
        if c.start < last:
            continue  # the scan resolves overlaps; never emit broken nesting if it did not
        pieces.append(highlight_placeholders(text[last:c.start]))
        pieces.append(format_html('<mark class="residual" data-type="{}" title="suspected {}">'
                                  "{}</mark>", c.entity_type, c.entity_type,
                                  highlight_placeholders(text[c.start:c.end])))
        last = c.end
    pieces.append(highlight_placeholders(text[last:]))
    return mark_safe("".join(pieces))  # noqa: S308


@register.filter
def candidate_text(example: Any, candidate: Any) -> str:
    """The words of a residual candidate, to list it next to its "Not PHI" button."""
    return str(getattr(example, candidate.field)[candidate.start:candidate.end])
