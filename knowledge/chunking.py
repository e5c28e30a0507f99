"""Text out of an uploaded document, and passages cut along its structure (no Django).

Extraction gives blocks — headings, paragraphs, list items — each with the heading path it
sits under; chunking packs consecutive blocks of one section into passages of about
CHUNK_TOKENS word-pieces (the embedder reads at most 256), splits a paragraph that is longer
at sentence ends, and keeps a list's lead-in with its items where they fit. The text of a
chunk is the document's own (not the embedder's lower-cased tokens).
"""

from __future__ import annotations

import html.parser
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pypdf import PdfReader

CHUNK_TOKENS = 220  # target size; below the embedder's 256 with room for the section path
MIN_TOKENS = 40  # a smaller last piece of a section joins the one before when it fits
SUFFIXES = {".txt": "text/plain", ".md": "text/markdown", ".markdown": "text/markdown",
            ".html": "text/html", ".htm": "text/html", ".pdf": "application/pdf"}


class ExtractionError(ValueError):
    """The file is not a document we can read (wrong type, unreadable, no text)."""


@dataclass(frozen=True)
class Block:
    kind: str  # "heading", "paragraph", "item"
    text: str
    path: tuple[str, ...]  # the headings above it
    level: int = 0  # heading level (1-6); for a heading block only


@dataclass(frozen=True)
class Piece:
    section: str  # "Formulary > Anticoagulants"
    text: str


_TOKEN = re.compile(r"\w+|[^\w\s]")


def estimate_tokens(text: str) -> int:
    """Word-pieces, roughly: words and punctuation marks; long words count once more."""
    return sum(1 + (len(t) > 8) for t in _TOKEN.findall(text))


def kind_of(filename: str) -> str:
    """The content type we read a file as, from its suffix; ExtractionError otherwise."""
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in SUFFIXES:
        raise ExtractionError("Upload a .txt, .md, .html or .pdf file.")
    return SUFFIXES[suffix]


def extract_blocks(data: bytes, content_type: str) -> list[Block]:
    if content_type == "application/pdf":
        blocks = _pdf_blocks(data)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ExtractionError("The file is not UTF-8 text.") from exc
        blocks = _html_blocks(text) if content_type == "text/html" else _markdown_blocks(text)
    if not any(b.kind != "heading" for b in blocks):
        raise ExtractionError("The document has no text to index.")
    return blocks


def full_text(blocks: Iterable[Block]) -> str:
    """The text the PHI scanner reads: every block, one per line."""
    return "\n".join(b.text for b in blocks)


# --- Markdown and plain text ---------------------------------------------------------------

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+(.*)$")
_SETEXT = re.compile(r"^(=+|-+)\s*$")


def _markdown_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    path: list[tuple[int, str]] = []
    paragraph: list[str] = []

    def heading_path() -> tuple[str, ...]:
        return tuple(title for _, title in path)

    def flush() -> None:
        if paragraph:
            blocks.append(Block("paragraph", " ".join(paragraph), heading_path()))
            paragraph.clear()

    def heading(level: int, title: str) -> None:
        while path and path[-1][0] >= level:
            path.pop()
        path.append((level, title))
        blocks.append(Block("heading", title, heading_path(), level))

    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if match := _HEADING.match(line):
            flush()
            heading(len(match.group(1)), _inline(match.group(2)))
        elif _SETEXT.match(line) and len(paragraph) == 1:
            title = paragraph.pop()
            heading(1 if line.startswith("=") else 2, title)
        elif not line:
            flush()
        elif match := _ITEM.match(raw):
            flush()
            blocks.append(Block("item", _inline(match.group(1)), heading_path()))
        elif blocks and blocks[-1].kind == "item" and not paragraph and raw.startswith("  "):
            last = blocks.pop()  # an item continued on an indented line
            blocks.append(Block("item", f"{last.text} {_inline(line)}", last.path))
        else:
            paragraph.append(_inline(line))
    flush()
    return blocks


_EMPHASIS = re.compile(r"(\*\*|__|`)(.+?)\1")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")


def _inline(text: str) -> str:
    """Markdown's inline marks off (bold, code, links keep their words)."""
    return _EMPHASIS.sub(r"\2", _LINK.sub(r"\1", text)).strip()


# --- HTML ------------------------------------------------------------------------------------

class _HTMLBlocks(html.parser.HTMLParser):
    _BLOCKS = {"p", "li", "td", "th", "dd", "dt", "pre", "blockquote", "caption", "div"}
    _SKIP = {"script", "style", "head", "title", "noscript", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.path: list[tuple[int, str]] = []
        self.text: list[str] = []
        self.kind = "paragraph"
        self.level = 0
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skipping += 1
        elif re.fullmatch(r"h[1-6]", tag):
            self._flush()
            self.kind, self.level = "heading", int(tag[1])
        elif tag in self._BLOCKS or tag == "br":
            self._flush()
            self.kind = "item" if tag == "li" else "paragraph"

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif re.fullmatch(r"h[1-6]", tag) or tag in self._BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.text.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self.text).split())
        self.text = []
        if text and self.kind == "heading":
            while self.path and self.path[-1][0] >= self.level:
                self.path.pop()
            self.path.append((self.level, text))
            self.blocks.append(Block("heading", text, tuple(t for _, t in self.path),
                                     self.level))
        elif text:
            self.blocks.append(Block(self.kind, text, tuple(t for _, t in self.path)))
        self.kind, self.level = "paragraph", 0


def _html_blocks(text: str) -> list[Block]:
    parser = _HTMLBlocks()
    parser.feed(text)
    parser.close()
    parser._flush()
    return parser.blocks


# --- PDF -------------------------------------------------------------------------------------

def _pdf_blocks(data: bytes) -> list[Block]:
    """The text of each page (pypdf), sectioned by the PDF's outline where it has one: a
    bookmark's nested titles are the section path from its title's own line on its page (or,
    where that line is not found, from the page's top or the bookmark before it there) to the
    next bookmark; text before the first bookmark is under "Page N". A PDF without an outline
    is read page by page, under "Page N" unless its lines have the Markdown heading shape."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise ExtractionError("The PDF could not be read.") from exc
    marks = _outline(reader)
    if not marks:
        blocks: list[Block] = []
        for number, text in enumerate(pages, start=1):
            page_blocks = _markdown_blocks(text)
            if not any(b.kind == "heading" for b in page_blocks):
                page_blocks = [Block(b.kind, b.text, (f"Page {number}",)) for b in page_blocks]
            blocks += page_blocks
        return blocks
    return _outlined_blocks(pages, marks)


def _outline(reader: PdfReader) -> list[tuple[tuple[str, ...], int]]:
    """(title path, 0-based page) of every bookmark that points at a page, in outline order;
    empty when the PDF has none or it cannot be read."""
    from pypdf.errors import PdfReadError

    found: list[tuple[tuple[str, ...], int]] = []

    def walk(items: list[Any], parent: tuple[str, ...]) -> None:
        path = parent
        for item in items:
            if isinstance(item, list):  # the children of the bookmark before
                walk(item, path)
                continue
            title = " ".join(str(getattr(item, "title", "") or "").split())
            if not title:
                continue
            path = (*parent, title)
            page = reader.get_destination_page_number(item)
            if page is not None and page >= 0:
                found.append((path, page))

    try:
        walk(list(reader.outline), ())
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError):
        return []
    return found


def _outlined_blocks(pages: list[str],
                     marks: list[tuple[tuple[str, ...], int]]) -> list[Block]:
    blocks: list[Block] = []
    path: tuple[str, ...] | None = None  # None: before the first bookmark

    def flush(lines: list[str], page_number: int) -> None:
        section = path if path is not None else (f"Page {page_number}",)
        for block in _markdown_blocks("\n".join(lines)):
            kind = "paragraph" if block.kind == "heading" else block.kind  # the outline rules
            blocks.append(Block(kind, block.text, section))
        lines.clear()

    for index, text in enumerate(pages):
        lines = text.split("\n")
        # line -> the bookmarks starting there, each with whether that line is its title
        starts: dict[int, list[tuple[tuple[str, ...], bool]]] = {}
        cursor = 0
        for mark_path, page in marks:
            if page != index:
                continue
            wanted = mark_path[-1].casefold()
            at = next((i for i in range(cursor, len(lines))
                       if " ".join(lines[i].split()).casefold() == wanted), None)
            if at is None:
                starts.setdefault(cursor, []).append((mark_path, False))
            else:
                starts.setdefault(at, []).append((mark_path, True))
                cursor = at + 1
        body: list[str] = []
        for number, line in enumerate([*lines, ""]):
            for mark_path, is_title in starts.get(number, []):
                flush(body, index + 1)
                path = mark_path
                blocks.append(Block("heading", mark_path[-1], mark_path, len(mark_path)))
                if is_title:
                    line = ""
            body.append(line)
        flush(body, index + 1)
    return blocks


# --- chunking --------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")


def _split_long(text: str, limit: int) -> Iterator[str]:
    """A paragraph longer than `limit` in sentence-sized pieces (words, if a sentence is)."""
    current: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        words = sentence.split()
        while estimate_tokens(sentence) > limit and words:  # one sentence too long: by words
            head: list[str] = []
            while words and estimate_tokens(" ".join([*head, words[0]])) <= limit:
                head.append(words.pop(0))
            if not head:
                head.append(words.pop(0))
            if current:
                yield " ".join(current)
                current = []
            yield " ".join(head)
            sentence = " ".join(words)
        if not words:
            continue
        if current and estimate_tokens(" ".join([*current, sentence])) > limit:
            yield " ".join(current)
            current = []
        current.append(sentence)
    if current:
        yield " ".join(current)


def chunk_blocks(blocks: Iterable[Block], limit: int = CHUNK_TOKENS) -> list[Piece]:
    """Passages of at most `limit` estimated tokens, never across a section boundary."""
    pieces: list[Piece] = []
    section: tuple[str, ...] | None = None
    current: list[str] = []

    def flush() -> None:
        if current and section is not None:
            text = "\n".join(current)
            joined = pieces[-1].text + "\n" + text if pieces else ""
            if (pieces and pieces[-1].section == " > ".join(section)
                    and estimate_tokens(text) < MIN_TOKENS
                    and estimate_tokens(joined) <= limit):
                pieces[-1] = Piece(pieces[-1].section, joined)
            else:
                pieces.append(Piece(" > ".join(section), text))
        current.clear()

    for block in blocks:
        if block.kind == "heading":
            flush()
            section = block.path
            continue
        if block.path != section:
            flush()
            section = block.path
        line = f"- {block.text}" if block.kind == "item" else block.text
        parts = list(_split_long(line, limit)) if estimate_tokens(line) > limit else [line]
        for part in parts:
            if current and estimate_tokens("\n".join([*current, part])) > limit:
                flush()
            current.append(part)
    flush()
    return pieces


def chunk_document(data: bytes, content_type: str,
                   limit: int = CHUNK_TOKENS) -> tuple[str, list[Piece]]:
    """(the full text for the PHI scan, the passages to index)."""
    blocks = extract_blocks(data, content_type)
    return full_text(blocks), chunk_blocks(blocks, limit)
