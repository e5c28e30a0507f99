"""Template helpers for redacted text."""

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()
_PLACEHOLDER = re.compile(r"&lt;([A-Z][A-Z_]{1,30})&gt;")


@register.filter
def highlight_placeholders(text: str) -> SafeString:
    """Escape the text, then mark redaction placeholders such as <PERSON> for the reviewer."""
    escaped = str(conditional_escape(text))
    return mark_safe(_PLACEHOLDER.sub(r'<span class="ph">&lt;\1&gt;</span>', escaped))  # noqa: S308
