"""Spans cut to the identifier they are: grown to the pieces a detector left out, split where
a detector ran two things together.

A detector that finds most of an identifier leaves the rest in the text, and the scorer (and
a reader) counts a half-removed name or number as not removed: "Sun-<PERSON>", "r. <PERSON>",
"<ID>-A", "<ID> / B2". So a name grows over hyphenated parts, an initial and a nickname in
parentheses after it; an identifier grows over letter-and-digit groups attached to it by a
dash, slash or dot. The other way, the name-run and NER detectors sometimes run a name into
the eponym after it ("Kofi Asante, Wolff-Parkinson-White", "Benali\\nCrohn's disease"): such a
span is split at line breaks and before an eponym tail, so that the name goes and the
clinical term stays.
"""

from __future__ import annotations

import re

from presidio_analyzer import RecognizerResult

from . import eponyms
from .allowlist import vocabulary

NAME_TYPES = frozenset({"PERSON", "NAME"})
ID_TYPES = frozenset({"ID", "MRN", "ACCOUNT", "DEVICE_ID", "LICENSE", "VEHICLE", "SSN"})
_STOP_AFTER_NAME = frozenset("""
will would can could may might should is was are be has had have and or but the a an to of in
on at for with from by per says said asks this that who whose if as so not no yes ok
""".split())
_LETTERS = r"[A-Za-z\u00c0-\u024f]"
_HYPHEN_BEFORE = re.compile(rf"(?<![\w-]){_LETTERS}[\w\u00c0-\u024f']*-$")
_HYPHEN_AFTER = re.compile(rf"-{_LETTERS}[\w\u00c0-\u024f']*")
_INITIAL_BEFORE = re.compile(r"(?:^|(?<=[\s(,;:]))[A-Za-z]\.[ \t]?$")
_LOWER_NAME_AFTER = re.compile(r",[ \t]*(?P<v>[a-z][a-z'-]{2,20})\b")
_INITIAL_AFTER = re.compile(r"[ \t]+[A-Z]\.?(?=[ \t]*(?:\n|$|[,;)]))")
_NICKNAME_AFTER = re.compile(r"[ \t]*\([ \t]*[\"\u201c']?"
                             r"(?P<v>[^\W\d_][\w'\u2019\u00c0-\u024f-]{1,20})[\"\u201d']?[ \t]*\)")
_ID_AFTER = re.compile(r"(?:[-/.][A-Za-z0-9]{1,8}(?![\w]))+"
                       r"|[ \t]/[ \t](?=[A-Z0-9]*\d)[A-Z0-9]{1,6}\b")
_ID_BEFORE = re.compile(r"(?<![\w-])[A-Za-z0-9]{1,8}[-/]$")
# a lower-case first name before a lower-case surname: "rose <mcallister>"
_LOWER_WORD_BEFORE = re.compile(r"(?<![\w'-])([a-z\u00e0-\u024f][a-z'\u00e0-\u024f-]{1,20})[ \t]$")
# a short group of digits after a long number, or between two parts of one id: "912883440 01",
# "W0415 26 004412"
_ID_SPACE_TAIL = re.compile(r"[ \t]\d{1,3}\b(?![ \t]*(?:[a-zA-Z%/.]|\d))")
# the town, region and postcode after a street: "528 Wharerototipu Crescent, Manawateremotu 9353"
_TOWN_PART = r"[A-Z\u00c0-\u024f][\w'\u2019\u00c0-\u024f-]*"
_ADDRESS_TAIL = re.compile(
    rf"[ \t]*,[ \t]*(?:\d{{4,6}}(?:-\d{{3,4}})?(?:[ \t]+{_TOWN_PART})?|{_TOWN_PART}(?:[ \t]+"
    rf"{_TOWN_PART}){{0,2}}(?:[ \t]+\d{{4,6}}(?:-\d{{3,4}})?)?)(?=[ \t]*(?:[,.;)\n]|$))")
_UNIT_WORD = re.compile(r"[ \t]*(?:mg|mcg|ml|units?|tabs?|caps?|%|x\b|times|days?|weeks?)",
                        re.IGNORECASE)


def split(text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
    """Names and places cut at line breaks (names) and before an eponym that ends them."""
    out: list[RecognizerResult] = []
    for result in results:
        if result.entity_type not in NAME_TYPES | {"LOCATION", "PLACE"}:
            out.append(result)
            continue
        pieces = [(result.start, result.end)]
        if result.entity_type in NAME_TYPES and "\n" in text[result.start:result.end]:
            pieces = [(m.start() + result.start, m.end() + result.start)
                      for m in re.finditer(r"[^\n]+", text[result.start:result.end])]
        for start, end in pieces:
            start, end = _strip(text, start, end)
            if start < end:
                out.append(RecognizerResult(result.entity_type, start,
                                            _before_eponym_tail(text, start, end), result.score))
    return [r for r in out if r.end > r.start]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " \t,;":
        start += 1
    while end > start and text[end - 1] in " \t,;":
        end -= 1
    return start, end


def _before_eponym_tail(text: str, start: int, end: int) -> int:
    """Where a span must end so that an eponym closing it stays: "Kofi Asante, <Wolff-
    Parkinson-White pattern>". The whole span when nothing closing it is an eponym."""
    for match in re.finditer(r"(?<=[\s,])[A-Z]", text[start:end]):
        tail = start + match.start()
        if eponyms.is_eponym(text, tail, end):
            return _strip(text, start, tail)[1]
    return end


def grow(text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
    """Names and identifiers grown to the pieces attached to them, plus nicknames."""
    grown: list[RecognizerResult] = []
    for result in results:
        start, end = result.start, result.end
        if result.entity_type in NAME_TYPES:
            start, end = _grow_name(text, start, end)
            nickname = _NICKNAME_AFTER.match(text, end)
            if nickname and _nickname(nickname.group("v")):
                grown.append(RecognizerResult(result.entity_type, *nickname.span("v"),
                                              result.score))
        elif result.entity_type in ID_TYPES:
            start, end = _grow_id(text, start, end)
        elif result.entity_type == "ADDRESS" and re.search(r"\d", text[start:end]):
            start, end = _grow_address(text, start, end)
        grown.append(RecognizerResult(result.entity_type, start, end, result.score))
    return grown


def _grow_name(text: str, start: int, end: int) -> tuple[int, int]:
    for _ in range(3):
        before = _HYPHEN_BEFORE.search(text, max(0, start - 24), start) or \
            _INITIAL_BEFORE.search(text, max(0, start - 4), start)
        if before is None:
            break
        start = before.start()
    after = _HYPHEN_AFTER.match(text, end)
    while after:
        end = after.end()
        after = _HYPHEN_AFTER.match(text, end)
    initial = _INITIAL_AFTER.match(text, end)
    if initial and text[start:end].isupper():
        end = initial.end()  # "WELLS, MARGARET A"
    if text[start:end].islower():
        start, end = _grow_lower_name(text, start, end)
    last_first = _LOWER_NAME_AFTER.match(text, end)
    if (last_first and text[start:end].islower()
            and last_first.group("v") in vocabulary().names):
        end = last_first.end()  # "hill, dorothy"
    return start, end


def _grow_lower_name(text: str, start: int, end: int) -> tuple[int, int]:
    """A lower-case surname takes the first name before it: "rose mcallister", "ligia
    stanescu". Only philter's first-name list counts here (its surname list holds "switch"
    and "board")."""
    vocab = vocabulary()
    before = _LOWER_WORD_BEFORE.search(text, max(0, start - 22), start)
    if (before and before.group(1) in vocab.first_names
            and before.group(1) not in _STOP_AFTER_NAME and before.group(1) not in vocab.drugs):
        start = before.start(1)
    return start, end


def _grow_address(text: str, start: int, end: int) -> tuple[int, int]:
    for _ in range(3):
        tail = _ADDRESS_TAIL.match(text, end)
        if tail is None or any(w.lower() in _NOT_TOWN for w in re.findall(r"[^\W\d_]+",
                                                                         tail.group())):
            break
        end = tail.end()
    return start, end


_NOT_TOWN = frozenset("""
pt patient dob mrn phone tel fax email ssn allergies meds plan dx hx name daughter son wife
husband mother father next kin gp pcp dr mr mrs ms
""".split())


def _nickname(word: str) -> bool:
    """A word in parentheses after a name is a nickname unless it is an ordinary word or an
    abbreviation: "(Bobby)", "(Gosia)", "(scarter)" yes; "(daughter)", "(GI)", "(RN)" no."""
    vocab = vocabulary()
    lower = word.lower()
    if word.isupper() and len(word) <= 5:
        return False
    if word[0].islower():
        return lower not in vocab.safe and lower not in vocab.drugs
    return lower in vocab.names or lower not in vocab.safe


def _grow_id(text: str, start: int, end: int) -> tuple[int, int]:
    after = _ID_AFTER.match(text, end)
    if after and not _UNIT_WORD.match(text, after.end()):
        end = after.end()
    tail = _ID_SPACE_TAIL.match(text, end)
    if tail and re.search(r"\d{6}$", text[start:end]):
        end = tail.end()
    before = _ID_BEFORE.search(text, max(0, start - 9), start)
    if before:
        start = before.start()
    return start, end
