"""Addresses after the words that introduce them, in any country's format.

A postal address has no single shape ("Avenida das Bolas, 37 / 5296-877 Reguengos de
Monsaraz", "ulica Miła 43 / 12-445 Łuków"), but clinicians introduce it the same way: "lives
at", "moved to", "address:", "mail it to". From such a cue, the rest of the clause is the
address, and so are the short lines that follow it while they still look like address lines
(a postcode, a town, a country). Recall first: a clause that turns out not to be an address
loses a few words, an address that is missed is PHI in the training data.
"""

from __future__ import annotations

import re

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from .allowlist import vocabulary

_CUE = re.compile(
    r"\b(?:(?:home|mailing|postal|current|new|permanent|forwarding|billing)\s+address"
    r"(?:\s+on\s+file)?|address(?:\s+on\s+file)?|addr|lives\s+(?:at|on|in)|living\s+at|"
    r"resides\s+at|residing\s+at|moved\s+to|moving\s+(?:back\s+)?to|relocated\s+to|"
    r"mail(?:ed)?(?:\s+(?:it|them|the\s+\w+))?\s+to|send(?:\s+(?:it|them|the\s+\w+))?\s+to|"
    r"ship(?:ped)?\s+to|deliver(?:ed|y)?\s+to|staying\s+at|visit\s+(?:at|to)|"
    r"(?:mail|post)\s+goes\s+to)"
    r"\s*(?:is\s*)?(?::[ \t]*\n?|-\s+|\u2014\s+)?[ \t]*", re.IGNORECASE)
# where the clause ends: end of line, a semicolon, a dash between spaces, a sentence end,
# or a conjunction that starts the next thought
_STOP = re.compile(r"\n|;|\)|\s[\u2014\u2013-]\s|\.\s+(?=[A-Za-z])|\s\((?!\w{1,3}\))|"
                   r"\s+(?:on|with|for|re|about|after|to\s+(?:be|get|see|start))\s+(?=[a-z])|"
                   r",?\s+(?:pls|please|and\s+(?:she|he|they|wants|needs|asks)|so\s|but\s|"
                   r"which\s|who\s|since\s|because\s|before\s|until\s|for\s+the\s|"
                   r"she\s|he\s|they\s|pt\s|needs?\s|wants?\s|asks?\s)", re.IGNORECASE)
_ADDRESS_LINE = re.compile(r"[^\n:]{2,60}")
_NOT_ADDRESS_LINE = re.compile(
    r"\b(?:mg|mcg|ml|bid|tid|qd|prn|bp|hr|dx|hx|rx|plan|allerg\w*|meds?|dob|mrn|phone|tel|"
    r"email|fax|name|pt|patient|diagnosis|history|assessment|ssn|insurance|gp|next\s+of)\b",
    re.IGNORECASE)
_MAX_CHARS = 160


def _looks_like_address_line(line: str) -> bool:
    stripped = line.strip()
    if not stripped or not _ADDRESS_LINE.fullmatch(stripped) or _NOT_ADDRESS_LINE.search(line):
        return False
    words = re.findall(r"[^\W\d_]+", stripped)
    lower_long = [w for w in words if w.islower() and len(w) > 3 and w.isascii()]
    return bool(re.search(r"\d", stripped)) or (bool(words) and len(lower_long) <= 1)


# street words in many languages, before or after the street's name
_STREET_WORDS = (
    r"(?:calle|c/|avenida|av\.?|avda\.?|rua|r\.|rue|route|chemin|all[ée]e|boulevard|bd|via|viale|"
    r"corso|piazza|piazzale|strada|largo|vicolo|canale|ulica|ul\.|aleea|strada|intrarea|"
    r"bulevardul|calea|prolongaci[oó]n|privada|callej[oó]n|carrera|rodovia|travessa|alameda|"
    r"jalan|jl\.|gang|soi|thanon|проспект|улица|ул\.|бул\.|площа|наб\.|пер\.|вулиця|вул\.|"
    r"провулок|шосе|шоссе)")
_STREET_SUFFIX = (r"(?:stra(?:ss|\u00df)e|str\.|weg|gasse|platz|ring|allee|damm|ufer|steig|"
                  r"v[äa]gen|gatan|gr[äa]nd|torget|vej|gade|tie|katu|kuja|polku|laan|straat|"
                  r"dreef|singel|gracht|kade|plein|boulevard|s[uú]tca|caddesi|sokak|soka\u011f\u0131)")
_STREET_NAMED = re.compile(
    rf"(?i:\b{_STREET_WORDS})\s+[\w'\u00c0-\u024f\u0400-\u04ff.-]+(?:\s+[\w'\u00c0-\u024f"
    rf"\u0400-\u04ff.-]+){{0,3}}?,?\s+(?:(?i:no\.?|nr\.?|n[º°]|буд\.|д\.)\s*)?\d{{1,5}}[a-zA-Z]?"
    rf"(?:[/-]\d{{1,4}})?\b"
    rf"|\b[A-Z\u00c0-\u00de][\w\u00c0-\u024f-]*(?i:{_STREET_SUFFIX})\s+\d{{1,5}}[a-zA-Z]?"
    rf"(?:[/-]\d{{1,4}})?\b")  # capitalised, as such streets are: not "non-weight bearing 6"
# a postcode, then a capitalised town: "8005 Risch", "5296-877 Reguengos de Monsaraz"
_POSTCODE_TOWN = re.compile(
    r"(?<![\w.,/-])(?:\d{4,6}|\d{4}-\d{3}|\d{2}-\d{3}|\d{3}\s\d{2}|[A-Z]{1,2}-\d{4,5})\s+"
    r"(?-i:[A-Z\u00c0-\u00de\u0400-\u042f][\w'\u00c0-\u024f\u0400-\u04ff-]+)"
    r"(?:\s+(?:(?-i:[a-z]{1,3})|(?-i:[A-Z\u00c0-\u00de][\w'\u00c0-\u024f-]+))){0,4}")
_UNIT_AFTER = re.compile(r"\d\s+(?i:units?|tablets?|caps?|mg|mcg|ml|iu|steps|calories|cells)\b")


def street_and_town_spans(text: str) -> list[tuple[int, int]]:
    """Street names with their number, and postcode-town pairs, in European and other
    formats that the US-shaped patterns of `curation.rules` do not describe."""
    spans = [m.span() for m in _STREET_NAMED.finditer(text)]
    spans += [m.span() for m in _POSTCODE_TOWN.finditer(text)
              if not _UNIT_AFTER.match(text, m.start() + len(m.group().split()[0]) - 1)]
    return spans


def _place_like(value: str) -> bool:
    """Letters outside ASCII, a capitalised word the vocabulary does not know, or a number
    with a capitalised name: "the LAD appointment letter" and "bed 4" are not addresses,
    "Schochstrasse 165", "12 Elm St" and "Łuków" are."""
    if not value.isascii():
        return True
    safe = vocabulary().safe
    unknown_capital = any(w[0].isupper() and not w.isupper() and w.lower() not in safe
                          for w in re.findall(r"[A-Za-z][\w'-]*", value))
    # a number alone is not enough ("moved to bed 4"): a house number comes with a street
    street = re.search(r"\d.*\b[A-Z][a-z]+|\b[A-Z][a-z]+.*\d", value) is not None
    return unknown_capital or street


def address_blocks(text: str) -> list[tuple[int, int]]:
    spans = []
    for cue in _CUE.finditer(text):
        start = cue.end()
        stop = _STOP.search(text, start)
        end = stop.start() if stop else len(text)
        end = min(end, start + _MAX_CHARS)
        if end - start < 3:
            continue
        # the address goes on over following lines that still look like its lines
        while end < len(text) and text[end] == "\n":
            next_end = text.find("\n", end + 1)
            next_end = len(text) if next_end < 0 else next_end
            if not _looks_like_address_line(text[end + 1:next_end]):
                break
            end = next_end
        value = text[start:end].rstrip(" ,.")
        if _place_like(value):
            spans.append((start, start + len(value)))
    return spans


class AddressBlockRecognizer(EntityRecognizer):
    def __init__(self) -> None:
        super().__init__(supported_entities=["ADDRESS"], name="AddressBlocks")

    def load(self) -> None:
        return None

    def analyze(self, text: str, entities: list[str],
                nlp_artifacts: NlpArtifacts | None = None) -> list[RecognizerResult]:
        return [RecognizerResult("ADDRESS", start, end, 0.6)
                for start, end in address_blocks(text) + street_and_town_spans(text)]
