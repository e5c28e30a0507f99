"""Names that only their context gives away: "w/ dr. okafor", "d/w young in radiology",
"-- jmiller RN", "user smarion", "Will (pt's son)", "goes by Lizzie".

In clinician chat a name is often lower case, or an ordinary word ("hill", "Rich", "Page"),
so neither the NER nor the allow-list can tell it from a word. The words around it can: a
title, a clinician's shorthand for talking to someone ("d/w", "per", "page"), a signature
line, a login, a relation in parentheses. What such a cue finds is typed NAME: a name the
allow-list must not explain away ("Page" is an English word, "Ms Page" is a person). The
clinical filters (eponyms, "Dr. Parkinson" vs "Parkinson's disease") still apply, and the
redactor reports NAME as PERSON.
"""

from __future__ import annotations

import re
from typing import Any

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from .allowlist import CLINICAL_EXTRAS, Vocabulary, vocabulary

NAME = "NAME"
_WORD = r"[A-Za-z\u00c0-\u024f][\w'\u2019\u00c0-\u024f]*(?:-[\w'\u2019\u00c0-\u024f]+)*"
_CAP_WORD = r"[A-Z\u00c0-\u00de][\w'\u2019\u00c0-\u024f]*(?:-[\w'\u2019\u00c0-\u024f]+)*"

# after a title: words that are not the name ("dr. office", "dr said")
_NOT_AFTER_TITLE = frozenset("""
office offices visit visits appt appointment appointments note notes order orders said says
say wants wanted recommends recommended rec recs team service who whose will would is was
are to at and or the a an on in of for with by from aware notified here there ok okay
apt unit suite ste drive pt patient called call calls paged saw sees seen thinks agrees
feels felt states stated asked asks documented wrote writes
""".split())
# shorthand a clinician writes before the person they talked to, paged or signed out to
_CLINICIAN_CUE = re.compile(
    r"(?:\bd/w|\bw/|\bper|\bpt|\bpatient|\bgrandpa|\bgrandma|\bnana|\bpapa|\bask(?:ed)?|\bpaged?|\bpaging|\bcall(?:ed)?|\btell|\btold|\bcc'?d?"
    r"|\bspoke\s+(?:with|to)|\btalked\s+(?:with|to)|\bdiscussed\s+with|\bsign(?:ing|ed)?\s+"
    r"out\s+to|\bhanded\s+(?:off|over)\s+to|\bhandoff\s+to|\bthanks|\bthx|\bfellow|"
    r"\bresident|\bintern|\battending|\btech|\bnurse|\brn|\bnp|\bpa|\bmom|\bmum|\bdad|\bson|"
    r"\bdaughter|\bdtr|\bwife|\bhusband|\bsister|\bbrother|\bniece|\bnephew|\baunt|\buncle|"
    r"\bpartner|\bfriend|\bneighbou?r|\bgrandson|\bgranddaughter|\bcousin)[ \t]*:?[ \t]*$",
    re.IGNORECASE)
# what follows a person's name in such a sentence: "w/ ray from RT", "d/w young in radiology"
_ROLE_AFTER = re.compile(
    r"^(?:\s+(?:from|in|at|of|re|about|says|said|is|was|will|aware|agrees|agreed|recommends|"
    r"wants|called|paged|thinks)\b|\s*\(|\s*,|['\u2019]s\b|\s*:|\s+[\u2014\u2013-]\s|\s*[.;!?]|"
    r"\s*$)", re.IGNORECASE)
_TITLE = re.compile(r"\b(?:(?P<strong>(?i:dr|mrs|prof|doctor)|Mr|Ms|Miss|Mx|MR|MS)|"
                    r"(?P<weak>mr|ms|mx))\.?[ \t]+$")

_RELATION = (r"(?:son|daughter|wife|husband|mother|mom|mum|father|dad|brother|sister|niece|"
             r"nephew|aunt|uncle|grandson|granddaughter|grandmother|grandfather|partner|friend|"
             r"neighbou?r|caregiver|guardian|cousin|fianc[eé]e?|boyfriend|girlfriend|spouse|"
             r"interpreter|roommate|stepson|stepdaughter|son-in-law|daughter-in-law|"
             r"hcpoa|poa|proxy|surrogate)")
_RELATION_NAME, _NICKNAME, _SIGNATURE, _LOGIN = range(4)
_PATTERNS: tuple[re.Pattern[str], ...] = (
    # a name, then who they are in parentheses: "Will (pt's son)", "Penny (wife)"
    re.compile(rf"(?P<v>{_CAP_WORD}(?:[ \t]+{_CAP_WORD}){{0,2}})[ \t]*\((?i:(?:the[ \t]+)?"
               rf"(?:pt['\u2019]?s|patient['\u2019]?s|her|his|their|my)?[ \t]*{_RELATION})\b"),
    # nicknames and other names: "goes by Lizzie", "aka Misha", "legal name Sun-hee Park"
    re.compile(rf"(?i:\b(?:goes[ \t]+by|aka|a\.k\.a\.?|known[ \t]+as|nicknamed|nickname[ \t]+is|"
               rf"prefers[ \t]+(?:to[ \t]+be[ \t]+called[ \t]+)?|legal[ \t]+name(?:[ \t]+is)?:?|"
               rf"also[ \t]+called))[ \t]+[\"\u201c']?"
               rf"(?P<v>{_CAP_WORD}(?:[ \t]+{_CAP_WORD}){{0,2}})"),
    # signature lines: "-- jk", "~ ak", "-gw", "— tkowalski (pharmacy)", "-- jmiller RN"
    re.compile(r"(?m)^[ \t]*(?:--|-|~|\u2014|\u2013|/s/)[ \t]*"
               r"(?P<v>[A-Za-z][\w.'\u00c0-\u024f-]{1,24}(?:[ \t]+[A-Z][\w'\u00c0-\u024f-]+)?)"
               r"(?:,?[ \t]+(?:RN|MD|DO|NP|PA|PA-C|MS\d|"
               r"PGY-?\d|CNA|LPN|RT|RD|SW|LCSW|PharmD|pharm|\(\w+\)))?[ \t]*$"),
    # who wrote or sent it: "Transcribed by: lmb", "user k_oduya", "msg from smarion"
    re.compile(r"(?i:\b(?:transcribed|dictated|entered|signed|cosigned|co-signed|documented|"
               r"charted|edited|updated|reviewed|sent|written)[ \t]+by|\buser(?:name)?|\blogin|"
               r"\blogged[ \t]+in[ \t]+as|\bmsg[ \t]+from|\bmessage[ \t]+from)[ \t]*:?[ \t]+"
               r"(?P<v>[a-z][a-z0-9._-]{1,30}[a-z0-9])\b"),
    # a dotted or underscored handle after "from"/"by": "sent by park.jihoon"
    re.compile(r"(?i:\b(?:from|by))[ \t]*:?[ \t]+(?P<v>[a-z][a-z0-9]*[._][a-z0-9._]*[a-z0-9])\b"),
)
_SAYS = frozenset("""
says said asks asked called calls reports reported states stated thinks brought found agrees
agreed declines declined refuses refused wants wanted texted emailed worries worried
""".split())


def _name_word(word: str, vocab: Vocabulary, *, after_title: bool = False) -> bool:
    """A word that can be a name: letters, not a clinical word the lists know (after a title
    even those: "Ms. Holter", "Dr. Foley")."""
    lower = word.lower()
    clinical = lower in CLINICAL_EXTRAS or lower in vocab.drugs
    return (re.fullmatch(_WORD, word) is not None and (after_title or not clinical)
            and lower not in _NOT_AFTER_TITLE)


def _after_title(text: str, doc: Any, vocab: Vocabulary) -> list[tuple[int, int]]:
    """A word after a title is the name, whatever its case: "dr. okafor", "dr hill", "mrs.
    delacroix". Lower-case "mr"/"ms" are also mitral regurgitation and multiple sclerosis, so
    after them only a word that is no ordinary word counts."""
    spans = []
    for token in doc:
        title = _TITLE.search(text, max(0, token.idx - 12), token.idx)
        if title is None or title.end() != token.idx or not _name_word(token.text, vocab,
                                                                        after_title=True):
            continue
        lower = token.text.lower()
        if title.group("weak") and lower in vocab.safe:
            continue
        end = token.idx + len(token.text)
        after = token.i + 1 < len(doc) and doc[token.i + 1]
        if (after and after.idx == end + 1 and _name_word(after.text, vocab)
                and not after.is_stop and (after.text.lower() in vocab.names
                                           or after.text.lower() not in vocab.safe)):
            end = after.idx + len(after.text)  # "dr. xavier gonzalez"
        spans.append((token.idx, end))
    return spans


def _after_clinician_cue(text: str, doc: Any, vocab: Vocabulary) -> list[tuple[int, int]]:
    """"d/w young in radiology", "per lindqvist:", "ask sara if": after a cue, a name-list word
    is a name when the sentence goes on the way it does after a person."""
    spans = []
    for token in doc:
        lower = token.text.lower()
        if not token.is_alpha or lower not in vocab.names or not _name_word(token.text, vocab):
            continue
        if not _CLINICIAN_CUE.search(text, max(0, token.idx - 24), token.idx):
            continue
        end = token.idx + len(token.text)
        known = lower in vocab.safe
        if known and (token.is_stop or not _ROLE_AFTER.match(text[end:end + 16])):
            continue  # "w/ rest", "son will pick up": a word after all
        spans.append((token.idx, end))
    return spans


def _sentence_subject(doc: Any, vocab: Vocabulary) -> list[tuple[int, int]]:
    """A name-list word opening a sentence and saying something: "Rich says", "Will called"."""
    spans = []
    for token in doc[:-1]:
        if (token.is_sent_start or token.i == 0) and token.text[:1].isupper() \
                and token.text.lower() in vocab.names and doc[token.i + 1].text.lower() in _SAYS:
            spans.append((token.idx, token.idx + len(token.text)))
    return spans


def _pattern_match_is_name(kind: int, match: re.Match[str], vocab: Vocabulary) -> bool:
    value = match.group("v")
    words = [w.lower() for w in re.findall(r"[^\W\d_][\w'\u2019-]*", value)]
    if not words or any(w in vocab.drugs or w in CLINICAL_EXTRAS for w in words):
        return False
    if kind in (_SIGNATURE, _LOGIN) and value.lower() in _NOT_AFTER_TITLE:
        return False
    if kind in (_RELATION_NAME, _NICKNAME):
        # "Will (pt's son)" yes, "Contact (daughter)" no: a name-list word or no word at all
        return all(w in vocab.names or w not in vocab.safe for w in words) and not (
            value.isupper() and len(value) <= 5)
    if kind == _SIGNATURE:
        dash = match.group(0).lstrip()[:1]
        if re.fullmatch(r"[a-z]{2,3}", value):
            return True  # lower-case initials: "-gw", "~ ak"
        if dash == "-" and not match.group(0).lstrip().startswith("--"):
            # a single dash also opens a bullet ("- Lasix", "- CXR"): only a name then
            return all(w in vocab.names or w not in vocab.safe for w in words) and not (
                value.isupper() and len(value) <= 4)
        return True
    # a login or sender: a handle ("k_oduya", "jing44"), initials, or a word no list calls
    # ordinary
    return (bool(re.search(r"[\d._-]", value)) or len(value) <= 3
            or value.lower() not in vocab.safe or value.lower() in vocab.names)


def name_spans(text: str, doc: Any, vocab: Vocabulary | None = None) -> list[tuple[int, int]]:
    vocab = vocab or vocabulary()
    spans = [m.span("v") for kind, pattern in enumerate(_PATTERNS)
             for m in pattern.finditer(text) if _pattern_match_is_name(kind, m, vocab)]
    return (spans + _after_title(text, doc, vocab) + _after_clinician_cue(text, doc, vocab)
            + _sentence_subject(doc, vocab))


class NameCueRecognizer(EntityRecognizer):
    def __init__(self) -> None:
        self.vocab = vocabulary()
        super().__init__(supported_entities=[NAME], name="NameCues")

    def load(self) -> None:
        return None

    def analyze(self, text: str, entities: list[str],
                nlp_artifacts: NlpArtifacts | None = None) -> list[RecognizerResult]:
        doc = getattr(nlp_artifacts, "tokens", None)
        if doc is None:
            return []
        return [RecognizerResult(NAME, start, end, 0.8)
                for start, end in name_spans(text, doc, self.vocab)]
