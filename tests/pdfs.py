"""PDFs built in the test, as a word processor exports them: pages of text lines in a standard
font, optionally with an outline (bookmarks) of nested titles pointing at pages."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Bookmark:
    title: str
    page: int  # 0-based
    children: Sequence[Bookmark] = field(default_factory=tuple)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def build_pdf(pages: Sequence[Sequence[str]], outline: Sequence[Bookmark] = ()) -> bytes:
    """One page per entry of `pages`, each line of it shown on its own line (an empty line
    makes a paragraph break); `outline` adds bookmarks through pypdf's writer."""
    count = len(pages)
    page_ids = [3 + 2 * i for i in range(count)]
    font_id = 3 + 2 * count
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
            b" ".join(b"%d 0 R" % n for n in page_ids), count),
        font_id: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    for page_id, lines in zip(page_ids, pages, strict=True):
        shown = " ".join(f"({_escape(line)}) Tj 0 -14 Td" for line in lines)
        stream = f"BT /F1 11 Tf 72 740 Td {shown} ET".encode("latin-1")
        objects[page_id] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                            b"/Contents %d 0 R /Resources << /Font << /F1 %d 0 R >> >> >>"
                            % (page_id + 1, font_id))
        objects[page_id + 1] = (b"<< /Length %d >>\nstream\n" % len(stream) + stream
                                + b"\nendstream")
    out, offsets = bytearray(b"%PDF-1.4\n"), {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offsets[n] for n in sorted(objects))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    if not outline:
        return bytes(out)
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(bytes(out))))

    def add(marks: Sequence[Bookmark], parent: object = None) -> None:
        for mark in marks:
            item = writer.add_outline_item(title=mark.title, page_number=mark.page,
                                           parent=parent)  # type: ignore[arg-type]
            add(mark.children, item)

    add(outline)
    written = io.BytesIO()
    writer.write(written)
    return written.getvalue()
