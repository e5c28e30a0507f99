"""Recall-first redaction in the manner of philter (UCSF): a word stays only when something
explains it as safe.

Rules that describe what PHI looks like miss the next format; philter inverts that. Every
token of a message must be explained by an allow-list — philter's own vocabulary of English
and medical words that are not names (`nonames`, 195k words, shipped in the philter-lite
wheel), the drug dictionary, clinical code shapes (doses, "q8h", "HbA1c", "T4") — or it is a
PHI candidate:

- a word on philter's first- or last-name lists, unless it is a safe word used as one (a
  lower-case "rose", a sentence-initial "Will");
- a capitalised word no list knows (names and places are open classes);
- a lower-case word with letters outside ASCII ("josé", "müller");
- a token mixing letters and digits that no clinical shape explains (ids, plates, serials);
- a bare number of five or more digits that no unit or lab name explains.

A lower-case word no list knows — not even as an inflection ("flagged", "camped") or by a
clinical word ending ("-itis", "-mab", "-ectomy") — is a candidate too: in clinician chat
such words are usernames ("smarion"), surnames typed in lower case ("lindqvist") and foreign
names far more often than English words; short ones and ones without a vowel ("tmrw",
"pls") stay. Eponyms, drug names and allowed places are filtered afterwards, with the NER's
hits, by `redaction._is_clinical`. Only philter-lite's data files are used, read without importing
the package (it would pull in nltk, whose taggers need a download).
"""

from __future__ import annotations

import importlib.util
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

DATA_DIR = Path(__file__).parent / "data"

# letters-and-digits tokens that are clinical, not identifiers
_CLINICAL_CODE = re.compile(
    r"(?:\d+(?:\.\d+)?(?:mg|mcg|ug|µg|g|kg|ng|pg|ml|l|dl|iu|u|units?|meq|mmol|umol|mol|cc|h|hr|"
    r"hrs|min|mins|s|sec|d|wk|wks|mo|y|yr|yrs|yo|x|mmhg|bpm|cm|mm|m|km|ft|in|lb|lbs|oz|k|"
    r"am|pm|st|nd|rd|th|f|c|kcal|cal|mph|mhz|hz|gy|mg/dl|ml/min|puffs?|tabs?|caps?)"
    r"|q\d{1,2}(?:h|hr|hrs|d|min|wk)?|x\d{1,2}|\d{1,2}x|\d{1,3}[x\u00d7]\d{1,3}"
    r"|[a-z]{1,4}-?\d{1,2}[a-z]{0,3}|[a-z]{1,3}\d{3}|\d{1,2}[a-z]{1,2}\d{0,2}"
    r"|g\d{1,2}p\d{1,4}|(?:yp|p|c)?t[0-4x][a-z]?n[0-3x][a-z]?(?:m[01x])?|[a-z]\d-[a-z]?\d"
    r"|\d{1,2}[pq]\d{1,2}(?:\.\d{1,2})?|[a-z]{3,}-\d{1,2}(?:-[a-z]+)?|cha2ds2(?:-vasc)?"
    r"|[a-z]\d{2}(?:\.\d{1,4})?[a-z]?"  # ICD-10 codes: E11.65, N18.3
    r"|covid-19|sars-cov-2|g6pd|h2o2|5-fu|nt-probnp|hba1c|ca-125|her2|brca[12]|cha2ds2-vasc"
    # genetics: genes (COL4A5, JAK2), protein variants (V617F), HLA alleles, karyotypes
    r"|[a-z]{2,5}\d{1,2}[a-z]\d{1,2}|[a-z]\d{2,4}[a-z]|hla-[a-z]{1,4}\*?\d{2,4}(?::\d{2})?"
    r"|4[5-7],[xy]{1,4}|[a-z]{1,4}\*\d{2,4}(?::\d{2})?)",
    re.IGNORECASE)
_UNITS_AFTER = frozenset("""
units unit u iu mg mcg g kg ml l cells cell copies /ul /mm3 k platelets plt cfu mosm kcal
steps ms sec seconds minutes hours days weeks months years meters feet ft lbs pounds grams mmol
""".split())
_LAB_BEFORE = frozenset("""
plt plts platelet platelets wbc count load vl cd4 ferritin bnp nt-probnp probnp ldh ck cpk
afp psa tsh inr level levels cells titer titre esr crp d-dimer dimer troponin trop lipase
amylase alt ast alp ggt steps calories weight cpt icd drg loinc ndc hcpcs snomed rxnorm
""".split())
# Clinical words, brands and abbreviations the word lists lack (or list as names).
CLINICAL_EXTRAS = frozenset("""
na k cl cr hb hgb hct mg ca phos plt alb bili glu lac fe cu zn li inr ptt bun wbc rbc ldl
hdl tg ast alt alp ggt tsh crp esr psa afp cea bnp ck ldh tug hida pea eri bia aria dtap
achr rh eeg ecg ekg emg ct mri pet cxr kub tte tee ava lvef rvsp moca mmse gcs nihss phq gad
dexcom libre freestyle omnipod medtronic carelink mepilex lexiscan oncotype tegaderm aquacel
xeroform vicryl prolene monocryl impella abbott jehovah coxsackie epstein barr mohs holter
foley picc hickman mediport port-a-cath bipap cpap hfnc ecmo lvad tavr savr mitraclip watchman
kcentra andexxa praxbind narcan epipen entresto jardiance farxiga ozempic wegovy mounjaro
zepbound eliquis xarelto pradaxa lovenox coumadin keppra depakote lamictal
xa rai tace bac cam lama laba spica sapien ringer ringers binder bang tmrw zio mitraclip exon
laa erp hie gravis migrans rosea vulgaris multiforme nodosum versicolor corporis capitis pedis
cruris simplex zoster planus sicca fungoides pylori difficile myasthenia tetralogy
""".split())
# word endings that mark clinical vocabulary (diseases, procedures, drug classes)
_CLINICAL_ENDING = re.compile(
    r"(?:itis|osis|oses|emia|aemia|ectomy|otomy|ostomy|plasty|scopy|graphy|gram|pathy|algia|"
    r"uria|penia|cytosis|oma|omas|ase|ases|mab|nib|pril|sartan|olol|statin|azole|cillin|"
    r"mycin|floxacin|cycline|vir|tide|gliptin|gliflozin|parin|xaban|gatran|dipine|zepam|"
    r"azepam|triptan|setron|prazole|tidine|lukast|terol|sone|olone|lone|caine|trexate|"
    r"platin|rubicin|taxel|ibine|amide|oxide|phate|plegia|paresis|trophy|lysis|rrhea|rrhoea|"
    r"ectasia|megaly|iasis|cele|sclerosis|genic|ogenic|ology|ologist|iatric|iatrics|ics|ate)$")
# Words the allow-list must never treat as names, whatever the name lists say.
_NEVER_NAMES = frozenset("""
patient pt doctor nurse pharmacy pharmacist clinic ward unit team consult please thanks thank
monday tuesday wednesday thursday friday saturday sunday today tomorrow yesterday morning
evening night am pm hi hello dear regards best cheers ok okay yes no mg ml bp hr rr
""".split())


@dataclass(frozen=True)
class Vocabulary:
    safe: frozenset[str]  # English and medical words that are not names (philter "nonames")
    names: frozenset[str]  # philter's first- and last-name lists together
    drugs: frozenset[str]
    first_names: frozenset[str] = frozenset()  # philter's first-name list alone


def _philter_sets() -> dict[str, list[str]]:
    spec = importlib.util.find_spec("philter_lite")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("philter-lite is not installed (requirements.txt ships its word lists)")
    path = Path(next(iter(spec.submodule_search_locations))) / "filters" / "set.toml"
    with path.open("rb") as handle:
        return tomllib.load(handle)


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    sets = _philter_sets()
    drugs = frozenset((DATA_DIR / "drug_words.txt").read_text().split())
    return Vocabulary(safe=frozenset(sets["nonames"]) - {""},
                      names=(frozenset(sets["firstnames"]) | frozenset(sets["lastnames"]))
                      - _NEVER_NAMES, drugs=drugs,
                      first_names=frozenset(sets["firstnames"]) - _NEVER_NAMES)


def _sentence_start(token: Any) -> bool:
    if token.i == 0 or token.is_sent_start:
        return True
    before = token.doc[token.i - 1]
    return before.text in {":", "-", "--", "\n", "•", "*", ">", "(", '"'} or "\n" in before.text


def classify(token: Any, vocab: Vocabulary, *, strict: bool = False) -> str | None:
    """The PHI type a token is a candidate for, or None when the allow-list explains it.
    `strict` also names lower-case words that no list knows (the residual scan)."""
    text: str = token.text
    if token.is_space or token.is_punct or not text.strip() or text.startswith("<"):
        return None
    has_alpha = any(c.isalpha() for c in text)
    has_digit = any(c.isdigit() for c in text)
    if has_alpha and has_digit:
        return None if _CLINICAL_CODE.fullmatch(text) else "ID"
    if has_digit:
        return _bare_number(token)
    if not has_alpha:
        return None
    word = text.lower().strip("'\u2019.")
    if not word or word in _NEVER_NAMES:
        return None
    if "-" in word and all(part in vocab.safe or part in CLINICAL_EXTRAS or len(part) <= 2
                           for part in word.split("-") if part):
        return None  # "hs-troponin", "x-ray", "follow-up"
    capital = text[0].isupper()
    if word in vocab.safe or word in vocab.drugs or word in CLINICAL_EXTRAS:
        if (word in vocab.names and capital and token.pos_ == "PROPN"
                and not _sentence_start(token) and not text.isupper()):
            return "PERSON"
        if _place_after_preposition(token, word, vocab):
            return PLACE
        return None
    if text.isupper() and _inside_hyphenated(token):
        return None  # "M-CHAT-R", "HLA-DR": one acronym
    if word in vocab.names:
        # a lower-case name-list word is a name next to another name or after a cue ("pt
        # smith", "rose mcallister"); alone it is more often a rare word ("sugar-tong")
        if capital or strict or _name_context(token, vocab):
            return "PERSON"
        return None
    if capital and not (text.isupper() and len(text) <= 6):
        if _sentence_start(token) and token.pos_ != "PROPN" and word.isascii():
            return None  # an unknown capitalised word opening a sentence; "Nguyễn" is a name
        return "LOCATION" if token.ent_type_ in ("GPE", "LOC", "FAC") else "PERSON"
    if not word.isascii() or (strict and len(word) > 2):
        return "PERSON"
    if text.islower() and _unknown_word(token, word, vocab):
        return "PERSON"
    if re.fullmatch(r"[a-z]+[._][a-z]+", word) and any(
            len(part) > 2 and part in vocab.names for part in re.split(r"[._]", word)):
        return "PERSON"  # a handle made of a name: "s.patel", "j_okafor"
    return None


# The word lists hold many towns as ordinary words ("Duluth", "Moab"). After "from", "in",
# "near" … a capitalised proper noun is a place unless it is a department, a language, a
# month or an eponym ("in Trendelenburg"). Typed PLACE: a place by its context, which the
# word lists must not explain away again (reported as LOCATION).
PLACE = "PLACE"
_PLACE_PREPOSITIONS = frozenset("from in near outside to at past around visiting via".split())
_NOT_PLACES = re.compile(
    r"(?:ology|ologies|iatry|iatrics|ics|ery|ing|ation|ment|ness|ward|unit|clinic|room|bed|"
    r"bay|lab|care|center|centre|service|services|team|dept|department|english|spanish|french|"
    r"arabic|mandarin|cantonese|russian|somali|hindi|urdu|portuguese|vietnamese|korean|"
    r"japanese|polish|german|italian|creole|sign|triage|recovery|rehab|labor|delivery|"
    r"pharmacy|hospice|ortho|neuro|cards|renal|pulm|onc|ent|gyn|obgyn|peds|psych|derm|uro|gi)$")


def _place_after_preposition(token: Any, word: str, vocab: Vocabulary) -> bool:
    if (not token.text[0].isupper() or token.text.isupper() or token.pos_ != "PROPN"
            or token.i == 0 or _sentence_start(token) or word in vocab.names):
        return False
    if len(word) < 3:
        return False
    before = token.i - 1  # over the town's earlier words: "from Old Lyme", "in East Oakland"
    while before > 0 and token.i - before < 3 and token.doc[before].text[:1].isupper() \
            and token.doc[before].pos_ == "PROPN":
        earlier = token.doc[before].text.lower()
        if earlier in CLINICAL_EXTRAS or earlier in vocab.drugs:
            return False  # "to Mepilex Ag"
        before -= 1
    if token.doc[before].text.lower() not in _PLACE_PREPOSITIONS:
        return False
    if token.ent_type_ in ("NORP", "DATE", "TIME", "LANGUAGE", "EVENT", "LAW"):
        return False
    from .eponyms import KNOWN  # here: eponyms reads this module's vocabulary

    return (word not in vocab.drugs and word not in CLINICAL_EXTRAS and word not in KNOWN
            and not _NOT_PLACES.search(word) and word not in _NEVER_NAMES)


_VOWEL = re.compile(r"[aeiouy]")
_INFLECTION = re.compile(r"(?:ies|ied|ing|ed|es|er|ers|s|ly|d|ized|ised|ize|ise)$")


def _unknown_word(token: Any, word: str, vocab: Vocabulary) -> bool:
    """A lower-case word that neither the lists, its lemma, a plain inflection nor a clinical
    ending explain (see the module docstring)."""
    if len(word) < 4 or not word.isalpha() or not _VOWEL.search(word):
        return False
    if _CLINICAL_ENDING.search(word):
        return False
    lemma = token.lemma_.lower()
    if lemma in vocab.safe or lemma in vocab.drugs:
        return False
    stem = _INFLECTION.sub("", word)
    for base in (stem, stem + "e", stem + "y", stem[:-1] if stem[-2:-1] == stem[-1:] else stem):
        if len(base) >= 3 and (base in vocab.safe or base in vocab.drugs):
            return False
    return True


def _inside_hyphenated(token: Any) -> bool:
    doc = token.doc
    before = token.i > 0 and doc[token.i - 1].text == "-" and not doc[token.i - 1].whitespace_
    after = token.i + 1 < len(doc) and doc[token.i + 1].text == "-" and not token.whitespace_
    return bool(before or after)


_NAME_CUES = frozenset("""
pt patient mr mrs ms dr saw see seen named called with for to from by son daughter wife
husband mother father mom mum dad brother sister nurse hi dear thanks cc re attn and grandpa
grandma nana papa auntie uncle niece nephew
""".split())


def _name_context(token: Any, vocab: Vocabulary) -> bool:
    doc = token.doc
    neighbours = [doc[i] for i in (token.i - 1, token.i + 1) if 0 <= i < len(doc)]
    if any((n.is_alpha and n.text.lower() in vocab.names) or (n.text[:1].isupper()
           and n.pos_ == "PROPN") for n in neighbours):
        return True
    if token.i + 1 < len(doc) and doc[token.i + 1].text in ("'s", "\u2019s"):
        return True  # "marguerite's K"
    return token.i > 0 and doc[token.i - 1].text.lower().rstrip(".") in _NAME_CUES


def _bare_number(token: Any) -> str | None:
    groups = re.findall(r"\d+", token.text)
    longest, total = max(map(len, groups)), sum(map(len, groups))
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d{1,3}|\d+(?:\.\d+)?(?:/\d+(?:\.\d+)?)+",
                    token.text) and \
            longest < 7:
        return None  # "150,000", "12345.6", "130/80": quantities and ratios
    if longest < 5 and total < 7:
        return None
    doc = token.doc
    after = doc[token.i + 1].text.lower() if token.i + 1 < len(doc) else ""
    before = doc[token.i - 1].text.lower() if token.i > 0 else ""
    if after in _UNITS_AFTER or after.startswith("/") or before in _LAB_BEFORE:
        return None
    return "ID"


def explains(span: str, vocab: Vocabulary | None = None, *, capitalised_ok: bool = True) -> bool:
    """True when the allow-list explains every word of an NER name or place: the NER's
    "mucositis mouth care", "Cr 1.3", "Heart Failure Clinic" or "DTaP" is not a person.
    Lower-case words must be safe; capitalised ones safe and no name; abbreviations (two or
    more capitals, as in "AChR") no name. Places pass `capitalised_ok=False`: the word lists
    hold many place names ("Fresno") as ordinary words."""
    vocab = vocab or vocabulary()
    words = re.findall(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*|\S", span)
    if not any(w[0].isalpha() for w in words):
        return False
    for word in words:
        if not word[0].isalpha():
            continue
        lower = word.lower().removesuffix("'s").removesuffix("\u2019s")
        known = lower in vocab.safe or lower in vocab.drugs or lower in CLINICAL_EXTRAS or (
            "-" in lower and all(part in vocab.safe or part in CLINICAL_EXTRAS or len(part) <= 2
                                 for part in lower.split("-") if part))  # "C-spine"
        if word.islower():
            if not known:
                return False
        elif word.isupper() or (len(word) <= 5 and sum(c.isupper() for c in word) >= 2):
            if lower in vocab.names and not known:
                return False  # an abbreviation ("AChR"), unless it spells a name
        elif not (capitalised_ok and known) or lower in vocab.names:
            return False
    return True


class AllowListRecognizer(EntityRecognizer):
    """Every token the allow-list cannot explain, as a PHI candidate."""

    def __init__(self, *, strict: bool = False) -> None:
        self.vocab, self.strict = vocabulary(), strict
        super().__init__(supported_entities=["PERSON", "LOCATION", "ID", PLACE],
                         name="StrictAllowList" if strict else "AllowList")

    def load(self) -> None:
        return None

    def analyze(self, text: str, entities: list[str],
                nlp_artifacts: NlpArtifacts | None = None) -> list[RecognizerResult]:
        doc = getattr(nlp_artifacts, "tokens", None)
        if doc is None:
            return []
        found = []
        for token in doc:
            kind = classify(token, self.vocab, strict=self.strict)
            if kind is not None:
                found.append(RecognizerResult(kind, token.idx, token.idx + len(token.text),
                                              0.5))
        return found
