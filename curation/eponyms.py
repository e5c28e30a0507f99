"""Eponyms: surnames that name a disease, sign, test, score or device, and stay.

"Colles fracture", "Hoehn and Yahr stage 3", "Wolff-Parkinson-White", "Gleason 3+4" keep their
surnames; "Dr. Parkinson", "Mr. Foley" and "Maria Lopez test results" do not. A capitalised
word (or a chain of them joined by hyphens or "and") is an eponym when a clinical head noun
follows it, or — for the known eponyms below — a score or grade, or a possessive. A title
before it, or a capitalised name right before it, makes it a person again.
"""

from __future__ import annotations

import re

from .allowlist import vocabulary

_NOUNS = (
    r"disease|syndrome|sign|signs|scale|score|catheter|reflex|test|tests|maneuver|manoeuvre|"
    r"criteria|classification|tube|palsy|thyroiditis|disorder|phenomenon|procedure|fracture|"
    r"ulcer|lymphoma|sarcoma|tumou?r|esophagus|oesophagus|triad|law|rule|rules|node|nodes|"
    r"position|operation|stain|monitor|line|block|repair|type|dementia|encephalopathy|cyst|"
    r"cells?|body|bodies|angina|arthritis|anomaly|deformity|index|chorea|contracture|neuralgia|"
    r"coma scale|formula|equation|staging|stage|grade|grading|distribution|incision|point|"
    r"level|pattern|papules|rings?|shunt|lift|splint|diverticulum|gangrene|exam|examination|"
    r"lesion|lesions|method|technique|spots?|pouch|thickness|depth|ratio|protocol|"
    r"questionnaire|inventory|frame|collar|boot|mask|needle|forceps|clamp|retractor|blade|"
    r"solution|agar|medium|fever|virus|bacillus|membrane|canal|duct|gland|glands|space|"
    r"hernia|herniation|aneurysm|malformation|loop|nerve|muscle|ligament|pattern|waves?|"
    r"phenomenon|test|shift|sequence|fistula|valve|circle|area|zone|hypothesis|bundle|"
    r"filter|valve|device|pump|sensor|system|reflex|response|effect|curve|lines|surgery|"
    r"exercises?|manoeuvres?|maneuvers?|thyroiditis|spotted fever|class|nodules?|pupils?|"
    r"tendon|fingers|scan|paralysis|purpura|an(?:a)?emia|chromosome|protein|injury|injuries|"
    r"myotomy|cerclage|drains?|grid|blot|dystrophy|tear|rash|aphasia|ataxia|neuropathy|"
    r"myopathy|triad|pentad|lesion|ring|rings|stripe|lines|bodies|granules|crystals|"
    r"\w+(?:ectomy|otomy|ostomy|plasty|pexy|rrhaphy|scopy)"
)
KNOWN = frozenset("""
addison alzheimer apgar asperger babinski barrett bell bowen brudzinski charcot child-pugh
crohn cushing doppler down epley foley glasgow graves guillain-barre guillain barre hashimoto
heimlich hodgkin holter homan homans huntington kawasaki kernig korsakoff ludwig marfan
mcburney meniere murphy paget parkinson phalen raynaud romberg rovsing sjogren swan-ganz
swan ganz tinel tourette trendelenburg valsalva wernicke whipple wilson wells ranson gram
braden duke killip nyha kussmaul cheyne-stokes cheyne stokes gleason tanner morse clark
fisher epworth hunt hess gustilo macintosh mallampati cormack lehane house brackmann rancho
bishop lachman mcmurray colles smith barton hoehn yahr denver hoyer zenker gilbert berger
fournier pott patrick parkland lichtenstein ross mohs kayser fleischer gottron brugada chance
breslow beers stanford hunter dix hallpike brandt daroff coxsackie vanderbilt nexus rocky
caprini padua geneva centor curb meld hamilton beck ranson glasgow-blatchford blatchford
rockall wolff white lown lutembacher ebstein fallot eisenmenger osler janeway roth quincke
virchow trousseau sister mary joseph cullen grey turner kehr murphy boas courvoisier rovsing
psoas obturator dunphy markle cope wells homan pemberton chvostek chvostek's allen finkelstein
tinel durkan spurling lhermitte kernig jolt hoffmann oppenheim gordon chaddock clonus
weber rinne dix-hallpike epley semont gufoni unterberger fukuda halmagyi hinckley
glasgow hunt-hess fisher wfns spetzler martin borden cognard garden pugh ringer schatzker
norton rutherford katz lawton fontaine wagner karnofsky binet apache grace gleason
""".split())
# eponyms of several words, matched as a phrase around a name or place candidate
KNOWN_PHRASES = (
    "sister mary joseph", "grey turner", "argyll robertson", "ramsay hunt", "bence jones",
    "ann arbor", "jackson pratt", "henoch schonlein", "henoch schönlein", "von willebrand",
    "de quervain", "lou gehrig", "miller fisher", "tommy john", "austin flint", "osgood schlatter",
    "roux en y", "port a cath", "whipple procedure", "reed sternberg", "howell jolly",
    "kayser fleischer", "mallory weiss", "charcot marie tooth", "creutzfeldt jakob",
    "legg calve perthes", "legg calvé perthes", "sturge weber", "stevens johnson",
    "hoehn and yahr", "glasgow coma", "brown sequard", "brown séquard", "lewy body",
    "philadelphia chromosome", "western blot", "southern blot", "northern blot", "bell's palsy",
    "tetralogy of fallot", "pentalogy of cantrell", "circle of willis", "loop of henle",
    "islets of langerhans", "bundle of his", "sphincter of oddi", "ligament of treitz",
    "pouch of douglas", "canal of schlemm", "organ of corti",
)
_PHRASE = re.compile(r"\b(?:" + "|".join(
    r"[\s-]+".join(re.escape(w) for w in phrase.split()) for phrase in KNOWN_PHRASES)
    + r")(?:'s|\u2019s)?\b", re.IGNORECASE)


def in_known_phrase(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] lies inside a known eponym of several words ("Grey Turner's
    sign", "Bence Jones protein", "von Willebrand disease")."""
    return any(m.start() <= start and end <= m.end()
               for m in _PHRASE.finditer(text, max(0, start - 30), min(len(text), end + 30)))
# eponyms of two or more surnames, common surnames among them ("Salter-Harris II")
KNOWN_CHAINS = frozenset("""
salter-harris stevens-johnson mallory-weiss zollinger-ellison osgood-schlatter legg-calve-perthes
wolff-parkinson-white dix-hallpike child-pugh brandt-daroff guillain-barre cheyne-stokes swan-ganz
hunt-hess glasgow-blatchford creutzfeldt-jakob charcot-marie-tooth ehlers-danlos henoch-schonlein
kasabach-merritt arnold-chiari dandy-walker peutz-jeghers sturge-weber von-willebrand
hoehn-yahr wernicke-korsakoff lambert-eaton budd-chiari austin-flint argyll-robertson
""".split())
_TITLE_BEFORE = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Nurse|Sister|Sgt|Capt)\.?\s*)$")
_CHAIN = re.compile(r"[A-Z][\w'\u2019]*(?:(?:-|\s+(?:and|&)\s+)[A-Z][\w'\u2019]*)*"
                    r"(?:'s|\u2019s|s'|')?")
_HEAD_AFTER = re.compile(
    rf"^(?:'s|\u2019s|s'|'|\u2019)?(?:(?:-|\s+(?:and|&)\s+)[A-Z][\w'\u2019]*)*"
    rf"(?:'s|\u2019s|s'|')?(?:\s+[a-z][\w-]*)?\s+(?:{_NOUNS})\b", re.IGNORECASE)
_SCORE_AFTER = re.compile(
    r"^(?:(?:-|\s+(?:and|&)\s+)[A-Z][\w'\u2019]*)*\s+(?:\d{1,3}(?:\s*[+/]\s*\d{1,2})?"
    r"(?:\s+and\s+\d{1,2})?|[IV]{1,4}[A-C]?|[0-5][A-C]?|[A-D])\b")
# after a known eponym, words that make it the clinical thing: "Parkinson clinic", "Charcot foot"
_KNOWN_HEAD_AFTER = re.compile(
    r"^(?:'s|\u2019s|s'|')?\s+(?:clinic|center|centre|program|programme|service|team|unit|nurse|"
    r"meds|medications?|symptoms?|patients?|foot|joint|arthropathy|changes|like|plus|stage|"
    r"monitoring|diet|phenotype|tremor|gait|features|crisis|flare|workup|w/u|dx|hx|pathway|adl|"
    r"iadl)\b",
    re.IGNORECASE)
# a place or other words in a disease's name: "Rocky Mountain spotted fever", "West Nile virus"
_DISEASE_PLACES = frozenset({
    "rocky mountain", "west nile", "rift valley", "ross river", "la crosse", "murray valley",
    "st louis", "kyasanur forest", "eastern equine", "western equine", "venezuelan equine",
    "crimean congo", "new world", "old world"})
_SPACED_CHAIN = re.compile(r"[A-Z][a-z]+(?:\s+[A-Z][a-z]+){1,2}")
_POSSESSIVE = re.compile(r"^(?:'s|\u2019s|s'|')(?:\s|$|[,.;])")
_WORD_BEFORE = re.compile(r"(?:^|[^\w])([A-Z][a-z]+)[ \t]+$")


def _name_before(before: str) -> bool:
    match = _WORD_BEFORE.search(before)
    if match is None:
        return False
    word, vocab = match.group(1).lower(), vocabulary()
    return word not in vocab.safe  # "Maria", "Lopez"; not "Right" or "Modified"


def _words(span: str) -> list[str]:
    return [w for w in re.split(r"[\s-]+", re.sub(r"(?:'s|\u2019s|s'|')$", "", span.lower()))
            if w and w not in ("and", "&")]


def is_eponym(text: str, start: int, end: int) -> bool:
    """Whether text[start:end], a name or place candidate, is an eponym in this context."""
    span, before, after = text[start:end], text[:start], text[end:]
    if _TITLE_BEFORE.search(before) and not _PHRASE.match(text, start - 7):
        return False
    if in_known_phrase(text, start, end):
        return True
    if _SPACED_CHAIN.fullmatch(span) and not _CHAIN.fullmatch(span):
        # ordinary words or a place that names a disease, so never a full name such as
        # "Maria Lopez"
        safe, words = vocabulary().safe, span.lower().split()
        return ((" ".join(words) in _DISEASE_PLACES or all(w in safe or w in KNOWN for w in words))
                and bool(_HEAD_AFTER.match(after)))
    if not _CHAIN.fullmatch(span):
        return False
    last_first = re.match(r",\s*([A-Z][a-z]+)\b", after)
    if last_first and last_first.group(1).lower() in vocabulary().names:
        return False  # "Parkinson, Harold": a name written last name first
    chained_before = re.search(r"(?:-|\s(?:and|&)\s)$", before) is not None
    if not chained_before and _name_before(before):
        return False  # "Maria Lopez test": a person's full name, then a noun
    words = _words(span)
    chain = len(words) > 1 and "-" in span and (
        "-".join(words) in KNOWN_CHAINS or all(w in KNOWN for w in words))
    if chain:
        return True  # "Wolff-Parkinson-White", "Dix-Hallpike", "Child-Pugh", "Salter-Harris"
    known = any(w in KNOWN for w in words)
    if _HEAD_AFTER.match(after) or (known and _KNOWN_HEAD_AFTER.match(after)):
        return True
    if known and (_SCORE_AFTER.match(after) or _POSSESSIVE.match(after)
                  or re.search(r"(?:'s|\u2019s)$", span)):
        return True
    # a chain's later part: "Yahr" in "Hoehn and Yahr stage 3", "White" in "Wolff-...-White"
    return known and chained_before and bool(_SCORE_AFTER.match(after) or not after.strip()
                                             or re.match(r"^\s*[,.;)]", after))
