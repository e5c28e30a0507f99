"""Safe Harbor identifier patterns: each rule's named group `v` is the span replaced, and the
rest of the match is context that stays ("MRN" stays, the number goes).

These find identifiers by their shape and their label; the allow-list layer
(`curation.allowlist`) catches what no pattern describes. Kept apart from the engine
(`curation.redaction`) so that the patterns can be read and reviewed on their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    entity: str
    pattern: re.Pattern[str]
    score: float = 0.85
    # context that makes a match clinical after all: searched in the 30 characters before
    # the span, or matched at the start of what follows it
    unless_before: re.Pattern[str] | None = None
    unless_after: re.Pattern[str] | None = None

    def spans(self, text: str) -> list[tuple[int, int]]:
        found = []
        for match in self.pattern.finditer(text):
            start, end = match.span("v") if "v" in self.pattern.groupindex else match.span()
            if start >= end:
                continue
            if self.unless_before and self.unless_before.search(text[max(0, start - 30):start]):
                continue
            if self.unless_after and self.unless_after.match(text, end):
                continue
            found.append((start, end))
        return found


def _rx(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    return re.compile(pattern, flags)


_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|"
          r"aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_STREET = (r"(?:street|st|avenue|ave|road|rd|lane|ln|drive|dr|boulevard|blvd|court|ct|way|"
           r"place|pl|terrace|ter|circle|cir|parkway|pkwy|highway|hwy|square|sq|trail|trl)")
_STATES = (r"(?:AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|"
           r"NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC)")

_ID_LABEL = (r"(?:id|no|number|#|acct|account|card|visa|amex|mastercard|master card|debit|credit|"
             r"iban|member|subscriber|policy|group|plan|mbi|medicare|medicaid|ohip|ehic|nhs|"
             r"insurance|insurer|serial|s/n|sn|ipg|lot|udi|plate|reg|registration|vin|tag|"
             r"unit number|isbn|accession|specimen|sample|case|report|incident|study|trial|"
             r"participant|subject|enrollment|enrolment|template|ref|reference|badge|employee|"
             r"staff|badge|pager|order|requisition|ticket|claim|authori[sz]ation|auth|"
             r"license|licence|dl|cdl|npi|dea|passport|permit|unos|mrn|mr|chart|pid|"
             r"patient id|hospital number|med rec|fin|csn|encounter|visit|locker|armband|"
             r"wristband|alias|batch|job|document|index no|box|kit|bag|cooler)")
# upper-case letter/digit groups joined by spaces, dashes, dots or slashes, with a digit
_CHAIN = r"(?=[A-Z0-9 ./#-]*\d)[A-Z0-9]{1,12}(?:(?:\s|[-/.#]\s?)[A-Z0-9]{1,12}){0,6}"
_DIGIT_WORD = r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)"
_WEEKDAY = (r"(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|"
            r"fri(?:day)?|sat(?:urday)?|sun(?:day)?)\.?")
_STREET_CAP = (r"(?:Street|Avenue|Road|Lane|Drive|Boulevard|Court|Terrace|Close|Crescent|"
               r"Parkway|Highway|Place|Square|Way|Row|Mews|Gardens|St|Ave|Rd|Ln|Dr|Blvd|Pkwy|"
               r"Hwy)")
_FACILITY = (r"(?:Senior Living|Assisted Living|Memory Care|Nursing Home|Nursing Center|"
             r"Care Home|Care Center|Care Centre|Rehab(?:ilitation)? Center|Manor|Lodge|"
             r"Hospice|Medical Center|Medical Centre|Hospital|Infirmary|Clinic|Health Center|"
             r"Health Centre|Residency|Residence|Apartments|Shelter|Gardens|Village|"
             r"Retirement Home|Group Home|Healthcare|Surgery Center|Urgent Care|Surgery Centre|"
             r"Family Practice|Medical Practice|Dialysis Unit|Dialysis Center|Dialysis Centre|"
             r"Infusion Center|Cancer Center|Cancer Centre|Medical Group|Nursing Facility|"
             r"Care Facility|Health System|Medical Associates)")
# USPS street suffixes (Publication 28), for numbered addresses only: "324 Selmin Greens"
_STREET_SUFFIX_USPS = (r"(?:Alley|Avenue|Bend|Bluff|Bluffs|Branch|Bridge|Brook|Brooks|Burg|"
                       r"Bypass|Camp|"
                       r"Canyon|Cape|Causeway|Circle|Circles|Cliff|Cliffs|Club|Common|Corner|Corners|"
                       r"Course|Court|Courts|Cove|Coves|Creek|Crescent|Crest|Crossing|Crossroad|Curve|"
                       r"Dale|Dam|Divide|Drive|Drives|Estate|Estates|Expressway|Extension|Falls|Ferry|"
                       r"Field|Fields|Flat|Flats|Ford|Fords|Forest|Forge|Forges|Fork|Forks|Freeway|"
                       r"Garden|Gardens|Gateway|Glen|Glens|Green|Greens|Grove|Groves|Harbor|Harbors|"
                       r"Haven|Heights|Highway|Hill|Hills|Hollow|Inlet|Island|Islands|Isle|Junction|Key|"
                       r"Keys|Knoll|Knolls|Lake|Lakes|Landing|Lane|Light|Lights|Loaf|Lock|Locks|Lodge|"
                       r"Loop|Mall|Manor|Manors|Meadow|Meadows|Mews|Mill|Mills|Mission|Motorway|Mount|"
                       r"Mountain|Mountains|Neck|Orchard|Oval|Overpass|Park|Parks|Parkway|Pass|Passage|"
                       r"Path|Pike|Pine|Pines|Place|Plain|Plains|Plaza|Point|Points|Port|Ports|Prairie|"
                       r"Radial|Ramp|Ranch|Rapid|Rapids|Rest|Ridge|Ridges|River|Road|Roads|Route|Row|Rue|"
                       r"Run|Shoal|Shoals|Shore|Shores|Skyway|Spring|Springs|Spur|Spurs|Square|Squares|"
                       r"Station|Stravenue|Stream|Street|Streets|Summit|Terrace|Throughway|Trace|Track|"
                       r"Trafficway|Trail|Trailer|Tunnel|Turnpike|Underpass|Union|Unions|Valley|Valleys|"
                       r"Viaduct|View|Views|Village|Villages|Ville|Vista|Walk|Walks|Wall|Way|Ways|Well|"
                       r"Wells)")
# a town after a facility: "... Care Home in Lugo", "... Surgery Centre - 燕市", "(Linköping)"
_TOWN_WORD = r"(?:[A-Z\u00c0-\u024f][\w'\u2019\u00c0-\u024f.-]*|[^\x00-\x7f\s,;()]+)"
_TOWN = (rf"{_TOWN_WORD}(?:[ \t]+(?:(?:de|da|do|del|la|le|los|las|di|du|von|van|upon|on|sur|"
         rf"am)[ \t]+)?{_TOWN_WORD}){{0,3}}")
_MONTH_NAME = (r"(?:January|February|March|April|June|July|August|September|October|November|"
               r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)")

# Each pattern's named group `v` is the span replaced; the rest is context that stays.
RULES: tuple[Rule, ...] = (
    Rule("SSN", _rx(r"(?P<v>\b\d{3}[-. ]\d{2}[-. ]\d{4}\b)")),
    Rule("SSN", _rx(r"\b(?:SSN|social(?: security)?|SS#|last (?:4|four)(?: digits)?)"
                     r"(?:\s+(?:no\.?|number|#|of (?:the )?ssn))?[:#\s]*(?:is\s+|ends? in\s+|"
                     r"ending\s+)?(?P<v>(?:x{3}-?x{2}-?)?\d{4})\b")),
    Rule("SSN", _rx(r"\b(?:SSN|social security(?: number| no\.?)?)[:#\s]*(?P<v>\d{9})\b")),
    Rule("MRN", _rx(r"\b(?:MRN|medical record(?: number| no\.?| #)?|med\.? rec(?:ord)?\.?|"
                     r"chart(?: number| no\.?| #)|hospital (?:number|no\.?|id)|MR#|patient id)"
                     r"[:#\s]*(?:is\s+|of\s+)?(?P<v>[A-Z]{0,3}-?\d{5,12})\b")),
    Rule("ACCOUNT", _rx(r"\b(?:account|acct|member|membership|policy|plan|insurance|insurer|"
                         r"subscriber|group|beneficiary|medicaid|medicare|claim|billing)\b"
                         r"(?:\s+(?:id|no\.?|number|#))?[:#\s]*(?:is\s+)?"
                         r"(?P<v>(?=[A-Z0-9-]*\d[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{4,19})\b")),
    Rule("DEVICE_ID", _rx(r"\b(?:serial(?: number| no\.?| #)?|S/N|SN|device id|udi|"
                           r"lot(?: number| no\.?)?|implant id)\b[:#\s]*(?:is\s+)?"
                           r"(?P<v>(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{4,24})\b")),
    Rule("LICENSE", _rx(r"\b(?:licen[cs]e|DEA|NPI|certificate)\b(?:\s+(?:no\.?|number|#))?"
                         r"[:#\s]*(?:is\s+)?(?P<v>(?=[A-Z0-9-]*\d{4})[A-Z0-9][A-Z0-9-]{5,14})\b")),
    Rule("VEHICLE", _rx(r"\b(?:plates?|license plate|licence plate|tag|reg(?:istration)?|VIN)"
                         r"\b(?:\s+(?:no\.?|number|#))?[:#\s]*(?:is\s+|reads\s+)?"
                         r"(?P<v>(?=[A-Z0-9 -]*\d)[A-Z0-9]{1,6}(?:[ -][A-Z0-9]{1,6}){0,4})\b")),
    Rule("ROOM", _rx(r"\b(?:room|rm\.?|bed|bay|cubicle|suite)\s*#?\s*"
                      r"(?P<v>\d{1,4}[A-Z]?(?:-?[A-Z0-9]{1,3})?)\b")),
    Rule("AGE", _rx(r"(?P<v>\b(?:9\d|1[0-4]\d)\b)(?=[- ]?(?:y/?o\b|yo\b|years?\b|yrs?\b|"
                     r"-year-old|year-old))")),
    Rule("AGE", _rx(r"\b(?:aged?|age of|turned|turns|turning)\s+(?P<v>(?:9\d|1[0-4]\d))\b")),
    Rule("AGE", _rx(r"(?P<v>\b(?:9\d|1[0-4]\d))(?=\s?(?:yo|y/o|yrs?|y)\b)")),
    Rule("AGE", _rx(r"(?P<v>\b(?:ninety|one[- ]hundred(?:[- ]and)?|a hundred(?: and)?)"
                     r"(?:[- ](?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
                     r"twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|"
                     r"twenty|thirty|forty))?)\b(?=[- ]?(?:y/?o\b|yo\b|years?\b|yrs?\b|"
                     r"-year-old|year-old))")),
    Rule("AGE", _rx(r"\b(?:aged?|age of|turned|turns|turning)\s+(?P<v>(?:ninety|"
                     r"one[- ]hundred|a hundred)(?:[- ](?:and[- ])?[a-z]+)?)\b")),
    # day and month (either order, one of them a valid month), one separator throughout
    Rule("DATE", _rx(r"(?<!\d[.,])(?P<v>\b(?:(?:0?[1-9]|1[0-2])(?P<s>[/.-])"
                     r"(?:0?[1-9]|[12]\d|3[01])|(?:0?[1-9]|[12]\d|3[01])(?P<t>[/.-])"
                     r"(?:0?[1-9]|1[0-2]))(?:(?P=s)|(?P=t))(?:\d{4}|\d{2})\b)")),
    Rule("DATE", _rx(rf"(?P<v>\b\d{{1,2}}[-/. ]{_MONTH}[-/. ]?(?:\d{{4}}|'?\d{{2}})\b)")),
    Rule("DATE", _rx(rf"(?P<v>\b{_MONTH}\s*['\u2019]\d{{2}}\b)")),
    Rule("DATE", _rx(rf"(?P<v>\b{_MONTH}[-/ ](?:19|20)\d{{2}}\b)")),
    Rule("DATE", _rx(r"(?P<v>\bthe\s+\d{1,2}(?:st|nd|rd|th))\b"
                      r"(?!\s+(?:percentile|centile|trimester|line|degree|dose|cycle|day|week|"
                      r"rib|intercostal|cranial|nerve|time|floor|grade|generation|toe|finger|"
                      r"digit|metatarsal|ventricle|decile|quartile|attempt|round|birthday))")),
    Rule("DATE", _rx(r"(?P<v>\b(?:19|20)\d{2}[/.]\d{1,2}[/.]\d{1,2}\b)")),
    Rule("DATE", _rx(r"(?P<v>\b(?:19|20)\d{2}-\d{1,2}-\d{1,2}\b)")),
    Rule("DATE", _rx(rf"(?P<v>\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?"
                     rf"(?:,?\s+(?:19|20)\d{{2}})?\b)")),
    Rule("DATE", _rx(rf"(?P<v>\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}"
                      rf"(?:,?\s+(?:19|20)\d{{2}})?\b)")),
    Rule("DATE", _rx(r"\b(?:DOB|d\.o\.b\.?|born|admitted|discharged|seen|dated?|since|on)"
                      r"[:\s]+(?P<v>\d{1,2}/\d{1,2})\b(?!/)")),
    Rule("DATE", _rx(r"\b(?:DOB|d\.o\.b\.?|born|date of birth)[:\s]+(?:in\s+)?"
                      r"(?P<v>(?:19|20)\d{2})\b")),
    Rule("PHONE", _rx(r"(?P<v>(?:\+?1[-.\s]?)?\(?\b\d{3}\)?[-.\s]\d{3}[-.\s]\d{4}\b"
                       r"(?:\s*(?:x|ext\.?)\s*\d{1,5})?)")),
    Rule("PHONE", _rx(r"(?P<v>\+\d{1,3}(?:[ .-]?\(?\d{1,5}\)?){2,5})(?!\d)")),
    Rule("PHONE", _rx(r"(?P<v>(?<![\d-])\b\d{3}-\d{4}\b(?!-\d))")),
    Rule("EMAIL", _rx(r"(?P<v>\b[\w.+-]+\s*(?:\bat\b|\[at\]|\(at\))\s*[\w-]+"
                       r"(?:\s*(?:\bdot\b|\[dot\]|\(dot\))\s*[a-z]{2,6})+\b)")),
    Rule("URL", _rx(r"(?P<v>(?<![\w.])@[A-Za-z0-9_]{2,30}\b)")),
    Rule("PHOTO", _rx(r"(?P<v>\b[\w-]+\.(?:jpe?g|png|gif|heic|heif|bmp|tiff?|dcm|webp|mp4|mov|avi|"
                      r"m4v|3gp|mkv|wmv|dng|raw|nef|cr2)\b)")),
    Rule("PHONE", _rx(r"\b(?:phone|tel|telephone|cell|mobile|pager|fax|call|ext\.?|"
                       r"reach\w*|contact)\b[^\d\n]{0,20}(?P<v>\b\d{3}[-. ]\d{4}\b)")),
    Rule("ADDRESS", _rx(rf"(?P<v>\b\d{{1,6}}[A-Z]?\s+(?:[NSEW]\.?\s+)?(?:(?:(?-i:[A-Z])[A-Za-z'-]+|"
                        rf"\d{{1,3}}(?:st|nd|rd|th))\s+){{1,3}}{_STREET}\b\.?(?:\s+[NSEW]{{1,2}}\b)?"
                        rf"(?:,?\s+(?:apt|apartment|unit|suite|#|interior|int|floor|fl|bldg|"
                        rf"building|room|rm|piso)\.?\s*#?\w+)?)", re.IGNORECASE)),
    Rule("ADDRESS", _rx(r"\b(?:P\.?\s?O\.?\s+Box)\s+\d+\b", re.IGNORECASE)),
    Rule("ADDRESS", _rx(rf"\b{_STATES},?\s+(?P<v>\d{{5}}(?:-\d{{4}})?)\b", 0)),
    Rule("ADDRESS", _rx(r"\b(?:zip|zip code|postcode|postal code|post code)(?:\s+is)?[:\s]+"
                        r"(?P<v>\d{4,6}(?:-\d{3,4})?|[A-Z0-9]{2,4}\s?[A-Z0-9]{3})\b")),
    # Long bare digit strings are identifiers (record, account or phone numbers without a
    # label); clinical numbers (doses, labs, counts) are shorter or carry units.
    Rule("ID", _rx(r"(?P<v>(?<![\d.,/])\b\d{7,}\b(?![.,/]\d))"), 0.5),
    Rule("PERSON", _rx(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?\s+"
                       r"(?P<v>[A-Z][a-zA-Z'\u2019-]+(?:\s+[A-Z][a-zA-Z'\u2019-]+){0,2})", 0),
         0.9),
    Rule("PERSON", _rx(r"\b(?:[Pp]atient|[Pp]t\.?|[Ss]on|[Dd]aughter|[Ww]ife|[Hh]usband|"
                        r"[Mm]other|[Ff]ather|[Bb]rother|[Ss]ister|[Nn]urse|[Cc]aregiver|"
                        r"[Gg]uardian|[Nn]eighbou?r|[Pp]artner|named|called)\s+"
                        r"(?P<v>[A-Z][a-z'\u2019-]+(?:\s+[A-Z][a-zA-Z'\u2019-]+){0,2})", 0), 0.7),
    Rule("PERSON", _rx(r"\b(?:[Cc]all|[Aa]sk|[Tt]ell|[Pp]age|[Cc]ontact|[Tt]ext|[Ee]mail|"
                        r"[Ss]ee|[Ii]nform)\s+(?P<v>[A-Z][a-z'\u2019-]+(?:\s+[A-Z][a-zA-Z'\u2019-]+)?)\b"
                        r"(?=\s+(?:at|on|via|re|about|from|tomorrow|today|tonight|before|after)\b)",
                        0), 0.7),

    # --- shapes and labels no single rule above describes --------------------------------
    # an identifier label, then a chain of letter/digit groups with spaces, dashes or slashes
    # (three characters at least: "Grade Group 3" and "visit 2" are no ids)
    Rule("ID", _rx(rf"\b(?i:{_ID_LABEL})\b(?i:\s+(?:id|no\.?|number|#|num))?\s*[:#]?\s*"
                   rf"(?i:is\s+)?(?P<v>(?=[A-Z0-9]{{3}}|[A-Z0-9]+[ ./#-])"
                   rf"(?!(?:[1-9]|1\d)(?![\w./#-])){_CHAIN})\b", 0)),
    # dash-joined chains holding five or more digits: E-5501-2293, PV-0099-4471, 88-120-33
    Rule("ID", _rx(r"(?P<v>(?<![\w.-])(?!\d{1,3}-\d{1,3}(?![\w-]))(?=(?:[A-Z-]*\d){5})"
                   r"[A-Z0-9]{1,8}(?:-[A-Z0-9]{1,8}){1,5})(?![\w.-]|/\d)", 0)),
    Rule("ID", _rx(r"(?P<v>\b[A-Z]{1,4}#\d{2,}(?:-[A-Z0-9]{1,6})*)", 0)),
    Rule("ACCOUNT", _rx(r"(?P<v>\b\d{4}[ -]\d{4}[ -]\d{4}[ -]\d{1,7}\b)")),
    Rule("ACCOUNT", _rx(r"(?P<v>\b\d{4}[ -]\d{6}[ -]\d{4,5}\b)")),
    Rule("ACCOUNT", _rx(r"(?P<v>\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b)", 0)),
    Rule("ACCOUNT", _rx(r"\b(?:ending|ends|ending in|ends in|last (?:4|four)(?: digits)?(?: of)?)"
                        r"(?:\s+(?:in|with))?\s+(?P<v>\d{4})\b")),
    Rule("DEVICE_ID", _rx(r"(?P<v>(?:\(\d{2,4}\)[A-Z0-9.-]+){2,})")),
    Rule("EMAIL", _rx(r"(?P<v>\b[\w.+-]+@+[\w-]+(?:\.[\w-]+)+\b)")),
    Rule("SSN", _rx(r"(?P<v>\b\d{3}\s*-\s*\d{2}\s*-\s*\d{4}\b)")),
    Rule("PHONE", _rx(rf"(?P<v>\b{_DIGIT_WORD}(?:[\s,-]+{_DIGIT_WORD}){{6,11}}\b)")),
    Rule("PHOTO", _rx(r"(?P<v>\b(?:screenshot|whatsapp image|img|image|photo|pxl|dsc|scan)"
                      r"[\w .:()-]{0,40}?\.(?:jpe?g|png|gif|heic|bmp|tiff?|webp)\b)")),
    # dates
    Rule("DATE", _rx(rf"(?P<v>\b{_WEEKDAY},?\s+(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?"
                     rf"(?:[/.-]\d{{1,2}}(?:[/.-]\d{{2,4}})?)?\b)")),
    Rule("DATE", _rx(rf"(?P<v>\b{_WEEKDAY},?\s+{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b)")),
    Rule("DATE", _rx(r"(?P<v>(?<![\d/.])\b(?:1[0-2]|0?[1-9])/(?:3[01]|[12]\d|0?[1-9])\b)(?![/\d])"),
         unless_before=_rx(r"(?:pain|moca|mmse|slums|score|scale|strength|power|murmur|grade|gcs|"
                           r"\bef|\bbp|rated|apgar|gleason|d5|d10|\bns|\bx|[\d.]+\s*mg/|"
                           r"naloxone|rhythm|reflexes|sets|vision|va|acuity|gravida|g\d|cog|"
                           # an abbreviation with two capitals reads a score or setting
                           # ("BiPAP 12/5", "MoCA 24/30"), unless it labels a date
                           r"(?-i:\b(?!(?:LMP|EDD|DOB|DOS|DOI|DOD|ADM|DC|FU|DOA|EDC)\b)"
                           r"[A-Za-z]*[A-Z][a-z]*[A-Z][A-Za-z]*))\W{0,3}$"),
         unless_after=_rx(r"\s*(?:mg|mcg|ml|ns|strength|power|murmur|pain|sets|reps|stars|tabs?|"
                          r"tablets?|of\b|dose|doses|cups?|in\b|inch|scale|score|nights|days|wks|"
                          r"weeks|pulses|reflexes|times|x\b|vision|normal saline|\d)")),
    Rule("DATE", _rx(r"(?P<v>\b(?:christmas(?: eve| day)?|new year'?s(?: eve| day)?|thanksgiving"
                     r"|easter(?: sunday| monday)?|halloween|independence day|memorial day|"
                     r"labou?r day|valentine'?s(?: day)?|boxing day|diwali|hanukkah|eid)\b)"
                     r"(?!\s+(?:disease|factor|tree))")),
    Rule("DATE", _rx(rf"(?P<v>\b(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)\s+of\s+{_MONTH})")),
    # ages over 89
    Rule("AGE", _rx(r"(?P<v>\b(?:9\d|1[0-4]\d)\s?(?:[FM]|yo[fm]?|y/o|yof|yom)\b)", 0)),
    Rule("AGE", _rx(r"\bage[ds]?\s*[:=]?\s*(?P<v>(?:9\d|1[0-4]\d))\b")),
    Rule("AGE", _rx(r"(?:\b(?:is|was|at|of|turned|turns|now)\s+|\()(?P<v>(?:9\d|1[0-4]\d))\b"
                    r"(?=\s*(?:\)|,|;|\.|—|-|$|and|with|who|years|yrs))")),
    Rule("AGE", _rx(r"\b(?:is|was|at|of|now)\s+(?P<v>(?:ninety|one[- ]hundred|a hundred)"
                    r"(?:[- ](?:and[- ])?(?:one|two|three|four|five|six|seven|eight|nine))?)\b"
                    r"(?!\s*(?:over|percent|%|/|mmhg|bpm))")),
    Rule("AGE", _rx(r"(?P<v>\b(?:ninety|hundred)[- ]?(?:[a-z]+-)?[a-z]*(?:th|st|nd|rd)\b)"
                    r"(?=\s+birthday)")),
    # geography
    Rule("ADDRESS", _rx(rf"(?P<v>\b{_STATES},?\s+\d{{5}}(?:-\d{{4}})?)\b", 0)),
    Rule("ADDRESS", _rx(r"(?P<v>\b(?:AB|BC|MB|NB|NL|NS|NT|NU|ON|PE|QC|SK|YT)\s+[A-Z]\d[A-Z]\s?"
                        r"\d[A-Z]\d\b)", 0)),
    Rule("ADDRESS", _rx(r"(?P<v>\b[A-Z]\d[A-Z]\s?\d[A-Z]\d\b)", 0)),
    Rule("ADDRESS", _rx(r"(?P<v>\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b)", 0)),
    Rule("ADDRESS", _rx(r"(?P<v>\b(?:RR|R\.R\.|rural route|HC|star route)\s*\d+,?\s+box\s+\d+)")),
    Rule("ADDRESS", _rx(r"(?P<v>\b(?:flat|apt|apartment|unit|suite|ste)\.?\s*#?\s*\d+[A-Z]?\b)"
                        r"(?=\s*,|\s+\d)")),
    Rule("ADDRESS", _rx(r"(?P<v>\b\d{1,3}(?:st|nd|rd|th)\s+(?:and|&)\s+[A-Z][a-z]+\b)")),
    Rule("ADDRESS", _rx(rf"(?P<v>\b(?:[A-Z][a-z]+\s+){{1,3}}{_STREET_CAP}\b\.?)", 0)),
    Rule("ADDRESS", _rx(rf"\b(?:lives|living|lived|moved|moving|staying|stays|home|house|"
                        rf"address)\s+(?:is\s+)?(?:on|at|in|near|to|off|by)\s+"
                        rf"(?P<v>(?:\d{{1,6}}\s+)?[a-z][a-z'-]+(?:\s+[a-z][a-z'-]+)?\s+{_STREET})\b")),
    Rule("ADDRESS", _rx(r"(?P<v>\b[A-Z][\w\u00c0-\u017f]*(?:stra(?:ss|\u00df)e|weg|gasse|platz|"
                        r"allee|laan|straat|gade|vej|calle|rue|via)\s+\d+[a-z]?\b)", 0)),
    Rule("LOCATION", _rx(r"(?P<v>\b(?:[A-Z][a-z]+\s+){1,2}(?:County|Parish|Borough|Township|"
                         r"District|Province|Prefecture)\b)", 0)),
    Rule("LOCATION", _rx(rf"(?P<v>\b(?:[A-Z][\w'\u2019-]+\s+){{1,3}}{_FACILITY}\b)", 0)),
    Rule("LOCATION", _rx(r"(?P<v>\b(?:St\.?|Saint|Mt\.?|Mount|Fort|Ft\.?|Port|Lake|New|North|"
                         r"South|East|West|Upper|Lower)\s+[A-Z][a-z]+(?:['\u2019]s)?\b)", 0)),
    Rule("URL", _rx(r"(?P<v>(?<![\w.])@[A-Za-z0-9_.]{2,30}[A-Za-z0-9_])")),
    Rule("PERSON", _rx(r"(?P<v>(?<![\w.])(?:[A-Z]\.){2,3})(?!\w)(?<!U\.S\.)(?<!U\.K\.)", 0)),
    Rule("ADDRESS", _rx(rf"\b(?:addr|address)(?:\s+is)?[:\s]+(?P<v>\d{{1,6}}\s+(?:[nsew]\.?\s+)?"
                        rf"[a-z][a-z'-]+(?:\s+[a-z][a-z'-]+)?\s+{_STREET}\b\.?(?:\s+[a-z]+)?)")),
    # signatures and user names: curation.name_cues
    Rule("AGE", _rx(r"(?<=,\s)(?P<v>(?:9\d|1[0-4]\d))(?=\s*,\s*[A-Za-z])")),
    # phones: an extension after the number, and digit groups of eight or more digits in all
    Rule("PHONE", _rx(r"(?<=\d)(?P<v>\s*\(?(?:ext\.?|extension|x)\s*\d{1,5}\)?)")),
    Rule("PHONE", _rx(r"(?P<v>(?<![\d.,/])\b(?=(?:\D?\d){8,13}\b)\d{2,4}(?:[ .-]\d{2,4}){2,5}\b)"
                      r"(?![.,/]\d)"),
         unless_before=_rx(r"(?:\bbp|\bhr|\brr|sats?|vitals|spo2|temp|mmhg|glucose|bs)\W{0,3}$")),
    # a plate after the word for a vehicle: "his car (2275 JDK)", "Vehicle on drive NT-40-NUG"
    Rule("VEHICLE", _rx(r"\b(?i:car|vehicle|van|truck|suv|sedan|motorbike|motorcycle|taxi|cab)"
                        r"(?i:\s+(?:on\s+(?:the\s+)?drive|reg(?:istration)?|plate|is|parked))?"
                        r"\s*[:(]?\s*(?P<v>(?=[A-Z0-9 -]*\d)(?=[A-Z0-9 -]*[A-Z])[A-Z0-9]{1,5}"
                        r"(?:[ -]?[A-Z0-9]{1,5}){0,3})\b", 0)),

    # --- round 3: formats the notes on i2b2 and the outside sets found missing ----------------
    # day-month and month-day without a year ("18-Feb", "Feb-18"), month/year ("12/2025"),
    # a range after a date ("Jan 5-7")
    Rule("DATE", _rx(rf"(?P<v>\b\d{{1,2}}-{_MONTH})(?![\w-])")),
    Rule("DATE", _rx(rf"(?P<v>\b{_MONTH}-\d{{1,2}}\b)(?![-/]\d)")),
    Rule("DATE", _rx(r"(?<![\d/.])(?P<v>\b(?:0?[1-9]|1[0-2])/(?:19|20)\d{2}\b)(?![/\d])")),
    Rule("DATE", _rx(rf"(?P<v>\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\s*[-\u2013]\s*\d{{1,2}}"
                     rf"(?:st|nd|rd|th)?\b)")),
    Rule("DATE", _rx(rf"(?P<v>\b{_MONTH}\s+the\s+\d{{1,2}}(?:st|nd|rd|th)\b)")),
    # a month named alone is a date element ("since Oct", "mid-Feb", "last Mar"); "may" and
    # "march" only after a word that makes them months
    Rule("DATE", _rx(rf"(?P<v>\b{_MONTH_NAME}\b\.?)(?![-'\u2019]\w)", 0)),
    Rule("DATE", _rx(r"\b(?:in|since|last|next|early|mid|late|until|till|by|this|of|from)[-\s]+"
                     r"(?P<v>january|february|march|april|june|july|august|september|october|"
                     r"november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\b")),
    # six or eight digits after a date label: "DOS 030426", "DOB: 19380704"
    Rule("DATE", _rx(r"\b(?:DOS|DOB|DOI|DOD|date(?:\s+of\s+(?:service|birth|injury|death))?|"
                     r"dated)[:\s#]+(?P<v>\d{6}|\d{8})\b")),
    # ages over 89 in words, wherever they stand ("she'll be ninety-eight next month"), unless
    # a unit or a vital sign makes them a number
    Rule("AGE", _rx(r"(?P<v>\b(?:ninety|one[- ]hundred)(?:[- ](?:and[- ])?(?:one|two|three|"
                    r"four|five|six|seven|eight|nine|ten|eleven|twelve))?)\b(?![\w-])"
                    r"(?!\s*(?:over|percent|%|/|mmhg|bpm|mg|mcg|ml|cc|units?|minutes?|mins?|"
                    r"seconds?|secs?|pounds|lbs?|kg|g\b|degrees?|beats|breaths|days?|hours?|"
                    r"times|meters|feet|ft|cm|mm|steps|dollars|calls|tablets|pills|people|"
                    r"patients))"),
         unless_before=_rx(r"(?:over|sats?|spo2|o2|pulse|hr|heart rate|bp|rate|glucose|sugars?|"
                           r"weight|weighs|temp|about|around|over)\s*(?:of|is|was|at|in the)?"
                           r"\s*$")),
    # extensions and pagers: "ext 4471", "pager 4-5521", "call RT at 555 0190"
    Rule("PHONE", _rx(r"\b(?:ext\.?|extension)\s*#?\s*(?P<v>\d{3,5})\b")),
    Rule("PHONE", _rx(r"\b(?:pager|pgr|beeper|page)\s*#?:?\s*(?P<v>\d{1,2}-?\d{4,5})\b")),
    # geography: "Broadway and 145th", "County Road 12", "Route 9", a facility with its town
    Rule("ADDRESS", _rx(r"(?P<v>\b[A-Z][a-z]+(?:\s+(?:St|Ave|Rd|Blvd|Street|Avenue|Road))?"
                        r"\s+(?:and|&)\s+\d{1,3}(?:st|nd|rd|th)\b)", 0)),
    Rule("ADDRESS", _rx(r"(?P<v>\b(?:\d{1,6}\s+)?(?:County\s+Road|County\s+Rd|Route|Rte|Highway|"
                        r"Hwy|Interstate|Farm\s+Road|FM)\s*\d{1,4}[A-Z]?\b)", 0)),
    Rule("LOCATION", _rx(rf"(?P<v>\b(?:[A-Z][\w'\u2019.\u00c0-\u024f-]*(?:,?\s+(?:and|&)\s+|,\s+|"
                         rf"\s+)){{1,6}}{_FACILITY}\b(?:(?:\s+(?:in|at)\s+|\s*,\s*|\s+[-\u2013"
                         rf"\u2014]\s+|\s*\(\s*){_TOWN}\)?)?)", 0)),
    # a number, capitalised words (any script) and a USPS street suffix; a number and a street
    # word that comes first in French, Spanish, Portuguese and Italian addresses
    Rule("ADDRESS", _rx(rf"(?P<v>\b\d{{1,6}}(?:-?[A-Z])?\s+(?:(?:[A-Z\u00c0-\u024f]"
                        rf"[\w'\u00c0-\u024f-]*|[^\x00-\x7f\s,]+)\s+){{1,3}}{_STREET_SUFFIX_USPS}\b\.?"
                        rf"(?:,?\s+(?:Apt|Apartment|Unit|Suite|Ste|#|Interior|Floor|Fl|Bldg)\.?\s*#?"
                        rf"\w+)?)", 0)),
    Rule("ADDRESS", _rx(r"(?P<v>\b\d{1,6}(?:-?[A-Z])?,?\s+(?i:rue|avenue|av\.?|calle|rua|via|"
                        r"viale|boulevard|bd|chemin|route|all[ée]e|place|rambla|camino|carrera|"
                        r"avenida|paseo|travessa|largo|impasse|quai)\s+(?:(?:d[eu']|de la|des|"
                        r"del|da|do|di)\s*)?[A-Z\u00c0-\u024f][\w'\u00c0-\u024f-]*(?:\s+[A-Z\u00c0-"
                        r"\u024f][\w'\u00c0-\u024f-]*){0,3}(?:,?\s+(?:Apt|Apartment|Suite|App|Bureau|"
                        r"Interior|Piso)\.?\s*#?\w+)?)", 0)),
    # street name, then its number: "Rambla Gloria Ortiz 50", "Paseo de Gracia 21"
    Rule("ADDRESS", _rx(r"(?P<v>\b(?:Rambla|Paseo|Camino|Ronda|Travesía|Plaza|Praça|Praca|"
                        r"Avinguda|Carrer|Viaducto|Calzada|Circuito|Andador|Cerrada|Retorno|"
                        r"Periférico|Callejón|Privada|Cuesta|Vía|Avenida|Calle)\s+"
                        r"(?:(?:de|del|de la|da|do|dos)\s+)?[A-Z\u00c0-\u024f][\w'\u00c0-\u024f-]*"
                        r"(?:\s+[A-Z\u00c0-\u024f][\w'\u00c0-\u024f-]*){0,3},?\s+\d{1,5}[A-Za-z]?"
                        r"(?:,?\s+(?:Apt|Piso|Interior)\.?\s*\w+)?)", 0)),
    # a bed or room given as "in 12" after a patient: "Mr Kay in 12", "pt in 8 needs"
    Rule("ID", _rx(r"\b(?:pt|patient|(?-i:[A-Z][a-z]+))\s+in\s+(?!(?:19|20)\d\d\b)"
                   r"(?P<v>\d{1,4}[A-Z]?)\b"
                   r"(?!\s*(?:units?|days?|d\b|weeks?|wks?|w\b|months?|mos?|years?|yrs?|y\b|hours?|"
                   r"hrs?|h\b|min|mins|minutes?|seconds?|secs?|am|pm|%|mg|ml|cm|mm|kg|lbs?|/|:|\.\d|"
                   r"-\d|times|x\b))")),
    # phones: groups of digits after a phone word further back ("fax the summary to 7223 5978"),
    # an area code in parentheses with the local number in any grouping
    Rule("PHONE", _rx(r"\b(?:phone|tel|telephone|cell|mobile|fax|call|reach|contact|text|ph)\b"
                      r"[^\d\n]{0,40}?(?P<v>(?<![\d.,/])\b(?=(?:\D?\d){7,13}\b)\d{2,4}"
                      r"(?:[ .-]\d{2,4}){1,4}\b)(?![.,/]\d)")),
    Rule("PHONE", _rx(r"(?P<v>\(\d{2,5}\)\s*\d[\d .-]{4,14}\d"
                      r"(?:\s*\(?(?:ext\.?|x)\s*\d{1,5}\)?)?)")),
)
