"""Build faker_set.jsonl: Faker-generated PHI in clinician chat/note templates (TUNING set).

Rules may be tuned on this set (it sits next to tuning.jsonl; it is not an independent set).
The PHI values come from the `faker` package across many locales; the templates and the
clinical content around them are our own (clinician chat, handovers, referral letters,
discharge paperwork). Offsets are computed from the inserted values, never typed; every span
and clinical term is asserted against the produced text, and no occurrence of a clinical term
may overlap PHI (the scorer counts every occurrence).

This is a dev-time generator, NOT a project dependency. It was run in a throwaway venv outside
the repository, from the repository root:

    python3 -m venv /tmp/fakervenv && /tmp/fakervenv/bin/pip install 'faker==37.12.0'
    /tmp/fakervenv/bin/python tests/data/redaction_tuning/make_faker_set.py

Pinned: faker 37.12.0, SEED below. Faker's notion of "today" (used by date_of_birth and by
several locales' ssn providers) is frozen at FROZEN_NOW so the output does not depend on the
day it is run, and the script re-runs itself with PYTHONHASHSEED=0 (some locales draw from
lists built from sets). Two runs give byte-identical output.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import itertools
import json
import logging
import os
import random
import re
import sys
import types
from collections import Counter
from pathlib import Path
from typing import Any

# Some Faker locales build their value lists from sets (it_IT cities), so string hashing must
# be fixed for the output to be reproducible: re-run this script with PYTHONHASHSEED=0.
if os.environ.get("PYTHONHASHSEED") != "0":
    os.execve(sys.executable, [sys.executable, *sys.argv],  # noqa: S606 (re-run itself)
              {**os.environ, "PYTHONHASHSEED": "0"})

import faker
from faker import Faker

FAKER_VERSION = "37.12.0"
SEED = 20261203
N_RECORDS = 300
FROZEN_NOW = _dt.datetime(2026, 12, 2, 12, 0, 0)
OUT = Path(__file__).resolve().parent / "faker_set.jsonl"
TYPES = ("PERSON", "LOCATION", "ADDRESS", "DATE", "PHONE", "FAX", "EMAIL", "SSN", "ACCOUNT",
         "LICENSE", "VEHICLE", "URL", "IP_ADDRESS", "OTHER_ID")
MIN_RECORDS_PER_TYPE = 10

logging.getLogger("faker").setLevel(logging.ERROR)  # en_PH iban warns on every call
if faker.VERSION != FAKER_VERSION:
    sys.exit(f"faker {FAKER_VERSION} required, found {faker.VERSION}")


# --- freeze Faker's "today" ----------------------------------------------------------------------
class _RealCheck(type):
    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, cls.__real__)  # type: ignore[attr-defined]


class _FrozenDate(_dt.date, metaclass=_RealCheck):
    __real__ = _dt.date

    @classmethod
    def today(cls) -> _dt.date:  # type: ignore[override]  # a real date, on purpose (_RealCheck)
        return FROZEN_NOW.date()


class _FrozenDateTime(_dt.datetime, metaclass=_RealCheck):
    __real__ = _dt.datetime

    @classmethod
    def now(  # type: ignore[override]  # a real datetime, on purpose (_RealCheck)
            cls, tz: _dt.tzinfo | None = None) -> _dt.datetime:
        if tz is None:
            return FROZEN_NOW
        return FROZEN_NOW.replace(tzinfo=_dt.UTC).astimezone(tz)


_dtmod = importlib.import_module("faker.providers.date_time")
_dtmod.datetime = _FrozenDateTime  # type: ignore[attr-defined]
_dtmod.dtdate = _FrozenDate  # type: ignore[attr-defined]
_shim = types.SimpleNamespace(date=_FrozenDate, datetime=_FrozenDateTime,
                              timedelta=_dt.timedelta, timezone=_dt.timezone)
for _loc in ("fi_FI", "sv_SE", "no_NO", "zh_CN"):
    importlib.import_module(f"faker.providers.ssn.{_loc}").datetime = _shim  # type: ignore[attr-defined]

# --- locales ---------------------------------------------------------------------------------------
LOCALES = ["en_US", "en_GB", "en_CA", "en_AU", "en_IN", "de_DE", "fr_FR", "es_ES", "es_MX",
           "it_IT", "nl_NL", "pt_BR", "pl_PL", "sv_SE", "ja_JP", "zh_CN", "ko_KR", "ar_AA",
           "tr_TR", "ru_RU", "en_PH", "en_NZ", "en_IE", "de_AT", "de_CH", "fr_CA", "fr_CH",
           "nl_BE", "pt_PT", "da_DK", "fi_FI", "no_NO", "cs_CZ", "ro_RO", "uk_UA", "zh_TW",
           "id_ID", "vi_VN"]
COUNTRY = {"en_US": "USA", "en_GB": "United Kingdom", "en_CA": "Canada", "en_AU": "Australia",
           "en_IN": "India", "de_DE": "Germany", "fr_FR": "France", "es_ES": "Spain",
           "es_MX": "Mexico", "it_IT": "Italy", "nl_NL": "Netherlands", "pt_BR": "Brazil",
           "pl_PL": "Poland", "sv_SE": "Sweden", "ja_JP": "Japan", "zh_CN": "China",
           "ko_KR": "South Korea", "ar_AA": "UAE", "tr_TR": "Turkey", "ru_RU": "Russia",
           "en_PH": "Philippines", "en_NZ": "New Zealand", "en_IE": "Ireland",
           "de_AT": "Austria", "de_CH": "Switzerland", "fr_CA": "Canada", "fr_CH": "Switzerland",
           "nl_BE": "Belgium", "pt_PT": "Portugal", "da_DK": "Denmark", "fi_FI": "Finland",
           "no_NO": "Norway", "cs_CZ": "Czech Republic", "ro_RO": "Romania", "uk_UA": "Ukraine",
           "zh_TW": "Taiwan", "id_ID": "Indonesia", "vi_VN": "Vietnam"}
CALLING = {"en_US": "+1", "en_GB": "+44", "en_CA": "+1", "en_AU": "+61", "en_IN": "+91",
           "de_DE": "+49", "fr_FR": "+33", "es_ES": "+34", "es_MX": "+52", "it_IT": "+39",
           "nl_NL": "+31", "pt_BR": "+55", "pl_PL": "+48", "sv_SE": "+46", "ja_JP": "+81",
           "zh_CN": "+86", "ko_KR": "+82", "ar_AA": "+971", "tr_TR": "+90", "ru_RU": "+7",
           "en_PH": "+63", "en_NZ": "+64", "en_IE": "+353", "de_AT": "+43", "de_CH": "+41",
           "fr_CA": "+1", "fr_CH": "+41", "nl_BE": "+32", "pt_PT": "+351", "da_DK": "+45",
           "fi_FI": "+358", "no_NO": "+47", "cs_CZ": "+420", "ro_RO": "+40", "uk_UA": "+380",
           "zh_TW": "+886", "id_ID": "+62", "vi_VN": "+84"}
PREFIX_OK = {"en_US", "en_GB", "en_CA", "en_AU", "en_NZ", "en_IE", "en_PH", "de_DE", "de_AT",
             "it_IT", "es_ES", "es_MX", "pt_BR", "nl_NL", "pl_PL", "tr_TR"}
ORDER_LAST_FIRST = {"hu_HU"}

# --- romanisation of non-Latin names ---------------------------------------------------------------
_CYR = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ",
                ["a", "b", "v", "g", "d", "e", "yo", "zh", "z", "i", "y", "k", "l", "m", "n",
                 "o", "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "",
                 "e", "yu", "ya", "i", "yi", "ye", "g"], strict=True))


def cyr_latin(s: str) -> str:
    out = []
    for ch in s:
        low = ch.lower()
        if low in _CYR:
            rep = _CYR[low]
            out.append(rep.capitalize() if ch != low else rep)
        else:
            out.append(ch)
    return "".join(out)


_KO_I = "g kk n d tt r m b pp s ss - j jj ch k t p h".split()
_KO_V = "a ae ya yae eo e yeo ye o wa wae oe yo u wo we wi yu eu ui i".split()
_KO_F = ["", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m",
         "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t"]
_KO_SURNAME = {"김": "Kim", "이": "Lee", "박": "Park", "최": "Choi", "정": "Jung", "강": "Kang",
               "조": "Cho", "윤": "Yoon", "장": "Jang", "임": "Lim", "한": "Han", "오": "Oh",
               "서": "Seo", "신": "Shin", "권": "Kwon", "황": "Hwang", "안": "Ahn", "송": "Song",
               "류": "Ryu", "전": "Jeon", "홍": "Hong", "고": "Ko", "문": "Moon", "양": "Yang",
               "손": "Son", "배": "Bae", "백": "Baek", "허": "Heo", "유": "Yoo", "남": "Nam"}


def ko_syllable(ch: str) -> str:
    code = ord(ch) - 0xAC00
    if not 0 <= code < 11172:
        return ch
    ini, med, fin = code // 588, (code % 588) // 28, code % 28
    return (_KO_I[ini] if ini != 11 else "") + _KO_V[med] + _KO_F[fin]


def ko_latin_given(s: str) -> str:
    return "-".join(ko_syllable(c) for c in s).capitalize()


def ko_latin_surname(s: str) -> str:
    return _KO_SURNAME.get(s, ko_syllable(s[0]).capitalize() if s else s)


# --- PHI value generators ---------------------------------------------------------------------------
class Gen:
    def __init__(self, fk: Faker, loc: str, rng: random.Random) -> None:
        self.fk, self.loc, self.rng = fk, loc, rng
        self.f = fk[loc]
        self.us = fk["en_US"]

    def _first_last(self) -> tuple[str, str]:
        f, loc, r = self.f, self.loc, self.rng
        if loc == "ja_JP":
            if r.random() < 0.8:
                return f.first_romanized_name(), f.last_romanized_name()
            return f.first_name(), f.last_name()
        if loc in ("zh_CN", "zh_TW"):
            if r.random() < 0.8:
                first, last = f.first_romanized_name(), f.last_romanized_name()
                if loc == "zh_TW":
                    return first.title(), last.title()
                return first, last
            return f.first_name(), f.last_name()
        if loc == "ko_KR":
            first, last = f.first_name(), f.last_name()
            if r.random() < 0.8:
                return ko_latin_given(first), ko_latin_surname(last)
            return first, last
        if loc in ("ru_RU", "uk_UA"):
            first, last = f.first_name(), f.last_name()
            if r.random() < 0.75:
                return cyr_latin(first), cyr_latin(last)
            return first, last
        return f.first_name(), f.last_name()

    def person(self) -> str:
        first, last = self._first_last()
        if self.loc in ("zh_CN", "zh_TW", "ja_JP", "ko_KR") and not first.isascii():
            return last + first
        if self.loc in ORDER_LAST_FIRST:
            return f"{last} {first}"
        if self.loc in ("zh_CN", "zh_TW", "ko_KR", "ja_JP") and self.rng.random() < 0.3:
            return f"{last} {first}".upper() if self.loc == "zh_TW" else f"{last} {first}"
        shape = self.rng.random()
        if shape < 0.15:
            return f"{last}, {first}"
        if shape < 0.27:
            middle = self._first_last()[0]
            return f"{first} {middle[0].upper()}. {last}" if middle[0].isalpha() else f"{first} {last}"
        if shape < 0.33:
            return f"{first} {last}".lower()
        return f"{first} {last}"

    def first(self) -> str:
        return self._first_last()[0]

    def last(self) -> str:
        return self._first_last()[1]

    def suffixed(self) -> str:
        first, last = self.us.first_name(), self.us.last_name()
        return f"{first} {last} {self.rng.choice(['Jr.', 'Sr.', 'II', 'III', 'IV'])}"

    def prefix(self) -> str:  # not PHI: the title stays outside the PERSON span
        if self.loc in PREFIX_OK:
            p = self.f.prefix().strip()
            if p and len(p) <= 6 and p[0].isupper():
                return p
        return self.rng.choice(["Mr", "Mrs", "Ms", "Mr.", "Mrs.", "Dr."])

    def user(self) -> str:
        return self.f.user_name()

    # addresses
    def _address(self) -> str:
        a = self.f.address().strip()
        return re.sub(r"[ \t]+", " ", a)

    def addr_ml(self) -> str:
        a = self._address()
        if "\n" not in a and "," in a:
            parts = [p.strip() for p in a.split(",")]
            a = parts[0] + "\n" + ", ".join(parts[1:])
        return a

    def addr_1l(self) -> str:
        return ", ".join(p.strip() for p in self._address().split("\n"))

    def addr_ml_c(self) -> str:
        return self.addr_ml() + "\n" + COUNTRY[self.loc]

    def addr_1l_c(self) -> str:
        return self.addr_1l() + ", " + COUNTRY[self.loc]

    def street(self) -> str:
        return ", ".join(p.strip() for p in self.f.street_address().strip().split("\n"))

    def city(self) -> str:
        return self.f.city().strip()

    def region(self) -> str:
        for m in ("administrative_unit", "state", "region", "province"):
            if hasattr(self.f, m):
                try:
                    return str(getattr(self.f, m)()).strip()
                except (AttributeError, TypeError):
                    continue
        return self.us.state()

    def postcode(self) -> str:
        return self.f.postcode().strip()

    def country(self) -> str:  # not PHI on its own
        return COUNTRY[self.loc]

    def facility(self) -> str:
        r = self.rng
        kind = r.choice(["Family Practice", "Medical Centre", "Medical Center", "Clinic",
                         "Dialysis Unit", "Rehabilitation Hospital", "Nursing Home",
                         "Care Home", "Community Hospital", "Hospice", "Surgery Centre",
                         "Urgent Care", "Health Centre"])
        if r.random() < 0.5:
            name = f"{self.us.last_name() if not self.f.last_name().isascii() else self.f.last_name()} {kind}"
        else:
            comp = self.f.company()
            if not comp.isascii() and self.loc not in ("de_DE", "fr_FR", "es_ES", "pl_PL",
                                                       "sv_SE", "tr_TR", "cs_CZ", "ro_RO",
                                                       "da_DK", "fi_FI", "no_NO", "pt_BR",
                                                       "pt_PT", "de_AT", "de_CH", "fr_CA",
                                                       "fr_CH", "es_MX", "it_IT", "vi_VN"):
                comp = self.us.company()
            name = f"{comp} {kind}"
        city = self.city()
        sep = r.choice([", ", " in ", " - ", " ("])
        return f"{name}{sep}{city})" if sep == " (" else f"{name}{sep}{city}"

    # dates
    _DOB_FORMATS = ("%m/%d/%Y", "%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y", "%d %b %Y", "%B %d, %Y",
                    "%d-%b-%Y", "%m/%d/%y", "%Y%m%d", "%d %B %Y", "%b %d %Y", "%d-%m-%Y",
                    "%Y/%m/%d", "%d.%m.%y")

    def _fmt(self, d: _dt.date) -> str:
        fmt = self.rng.choice(self._DOB_FORMATS)
        s = d.strftime(fmt)
        if self.rng.random() < 0.3 and fmt in ("%d %B %Y", "%d %b %Y", "%B %d, %Y"):
            s = re.sub(r"\b0(\d)", r"\1", s)
        return s

    def dob(self) -> str:
        return self._fmt(self.f.date_between_dates(_dt.date(1936, 1, 1), _dt.date(2007, 12, 31)))

    def date(self) -> str:
        return self._fmt(self.f.date_between_dates(_dt.date(2025, 1, 1), _dt.date(2026, 11, 30)))

    # contact
    def _phone_raw(self) -> str:
        if self.loc in ("en_PH", "fil_PH"):
            return self.f.mobile_number() if self.rng.random() < 0.5 else self.f.landline_number()
        return self.f.phone_number().strip()

    def phone(self) -> str:
        return self._phone_raw()

    def phone_x(self) -> str:
        p = self._phone_raw()
        if "x" in p:
            return p
        ext = self.f.numerify("#" * self.rng.choice([2, 3, 4]))
        return p + self.rng.choice([f" ext. {ext}", f" x{ext}", f" ext {ext}", f" (ext {ext})",
                                    f", ext. {ext}"])

    def phone_cc(self) -> str:
        p = self._phone_raw()
        if p.startswith(("+", "00")):
            return p
        if self.loc.endswith(("US", "CA")) or not p.startswith(("0", "(0")):
            nat = p
        elif p.startswith("(0"):
            nat = "(0)" + p[2:].replace(")", "", 1)
        else:
            nat = p[1:]
        return f"{CALLING[self.loc]} {nat}"

    def phone_dots(self) -> str:
        digits = re.sub(r"\D", "", self.us.numerify("%##-###-####"))
        return f"{digits[:3]}.{digits[3:6]}.{digits[6:]}"

    def fax(self) -> str:
        return self.phone() if self.rng.random() < 0.6 else self.phone_cc()

    def email(self) -> str:
        m = self.rng.choice(["email", "email", "free_email", "company_email", "safe_email"])
        return getattr(self.f, m)()

    # ids
    def iban(self) -> str:
        v = self.f.iban()
        if self.rng.random() < 0.4:
            v = " ".join(v[i:i + 4] for i in range(0, len(v), 4))
        return v

    def card(self) -> str:
        v = self.f.credit_card_number()
        r = self.rng.random()
        if r < 0.35 and len(v) == 16:
            v = " ".join(v[i:i + 4] for i in range(0, 16, 4))
        elif r < 0.55 and len(v) == 16:
            v = "-".join(v[i:i + 4] for i in range(0, 16, 4))
        return v

    def plate(self) -> str:
        return self.f.license_plate().strip()

    def ssn(self) -> str:
        return self.f.ssn().strip()

    def natid(self) -> str:
        f, loc = self.f, self.loc
        extra = {"pt_BR": ("cpf", "rg"), "es_ES": ("nif", "nie", "nuss"), "en_IN": ("aadhaar_id",),
                 "de_DE": ("rvnr",)}
        if loc in extra:
            m = self.rng.choice(extra[loc])
            if m == "rvnr":
                return f.rvnr(birthdate=f.date_between_dates(_dt.date(1940, 1, 1),
                                                             _dt.date(2005, 1, 1)))
            return getattr(f, m)()
        return self.ssn()

    def passport(self) -> str:
        return self.f.passport_number()

    def dl(self) -> str:
        return self.f.bothify(self.rng.choice(["?#######", "?###-####-####", "#########",
                                               "??######", "?##-###-###"])).upper()

    def npi(self) -> str:
        return self.f.numerify("1#########")

    def url(self) -> str:
        return self.f.url() if self.rng.random() < 0.5 else self.f.uri()

    def ipv4(self) -> str:
        return self.f.ipv4() if self.rng.random() < 0.5 else self.f.ipv4_private()

    def ipv6(self) -> str:
        return self.f.ipv6()

    def oid(self) -> str:
        return self.f.bothify(self.rng.choice(["ACC-########", "EMP######", "CLM-####-#####",
                                               "##-???-#####", "SP########"])).upper()


PHI_KINDS = {
    "name": "PERSON", "first": "PERSON", "last": "PERSON", "suffixed": "PERSON",
    "user": "PERSON", "clin": "PERSON",
    "addr_ml": "ADDRESS", "addr_1l": "ADDRESS", "addr_ml_c": "ADDRESS", "addr_1l_c": "ADDRESS",
    "street": "ADDRESS", "postcode": "ADDRESS",
    "city": "LOCATION", "region": "LOCATION", "facility": "LOCATION",
    "dob": "DATE", "date": "DATE",
    "phone": "PHONE", "phone_x": "PHONE", "phone_cc": "PHONE", "phone_dots": "PHONE",
    "fax": "FAX", "email": "EMAIL",
    "iban": "ACCOUNT", "card": "ACCOUNT",
    "plate": "VEHICLE", "ssn": "SSN", "natid": "SSN",
    "passport": "LICENSE", "dl": "LICENSE", "npi": "LICENSE",
    "url": "URL", "ipv4": "IP_ADDRESS", "ipv6": "IP_ADDRESS", "oid": "OTHER_ID",
}
PLAIN_KINDS = {"prefix", "country"}  # inserted, never labelled
ALIASES = {"name": "person", "clin": "person"}

# --- clinical content (terms that must survive) ------------------------------------------------------
_POOL_TEXT = {
    "drug": """metoprolol succinate 25 mg PO daily|apixaban 5 mg BID|furosemide 40 mg IV BID|
lisinopril 10 mg daily|atorvastatin 80 mg nightly|metformin 1000 mg BID|insulin glargine 22 units qHS|
enoxaparin 40 mg SC daily|ceftriaxone 2 g IV q24h|piperacillin-tazobactam 4.5 g IV q6h|
vancomycin 1.25 g IV q12h|amoxicillin-clavulanate 875 mg BID|prednisone 40 mg daily x5 days|
levothyroxine 88 mcg daily|sertraline 50 mg daily|quetiapine 25 mg qHS PRN|haloperidol 0.5 mg IV PRN|
oxycodone 5 mg q4h PRN|acetaminophen 1 g q6h|ondansetron 4 mg IV q8h PRN|pantoprazole 40 mg daily|
warfarin 5 mg daily|heparin drip per nomogram|amiodarone 200 mg daily|digoxin 0.125 mg daily|
spironolactone 25 mg daily|empagliflozin 10 mg daily|sacubitril/valsartan 24/26 mg BID|
tamsulosin 0.4 mg qHS|finasteride 5 mg daily|allopurinol 100 mg daily|colchicine 0.6 mg BID|
methotrexate 15 mg weekly|folic acid 1 mg daily|hydroxychloroquine 200 mg BID|
levetiracetam 500 mg BID|gabapentin 300 mg TID|baclofen 10 mg TID|donepezil 10 mg qHS|
carbidopa/levodopa 25/100 TID|tiotropium 18 mcg inhaled daily|albuterol 2 puffs q4h PRN|
budesonide/formoterol 160/4.5 2 puffs BID|azithromycin 500 mg daily|nitrofurantoin 100 mg BID x5d|
cephalexin 500 mg QID|doxycycline 100 mg BID|magnesium sulfate 2 g IV|potassium chloride 40 mEq PO|
clopidogrel 75 mg daily|aspirin 81 mg daily|ticagrelor 90 mg BID|semaglutide 0.5 mg SC weekly|
dexamethasone 6 mg daily|remdesivir 200 mg IV load|filgrastim 480 mcg SC daily|
epoetin alfa 10,000 units weekly|iron sucrose 200 mg IV|ferrous sulfate 325 mg daily|
vitamin B12 1000 mcg IM monthly|lactulose 20 g TID|rifaximin 550 mg BID|
naloxone 0.4 mg IV PRN|buprenorphine/naloxone 8/2 mg SL daily|methadone 60 mg daily|
lorazepam 1 mg IV PRN seizure|alteplase 0.9 mg/kg|tenecteplase 0.25 mg/kg|
norepinephrine 0.08 mcg/kg/min|propofol 20 mcg/kg/min|midazolam 2 mg IV|fentanyl 50 mcg IV|
morphine 2 mg IV q2h PRN|ketorolac 15 mg IV q6h|tranexamic acid 1 g IV|vitamin K 10 mg IV|
ursodiol 300 mg BID|mesalamine 2.4 g daily|infliximab 5 mg/kg|adalimumab 40 mg SC q2w""",
    "lab": """Hb 8.1 g/dL|WBC 14.2|plt 92|Na 129|K 5.8|Cr 2.3|eGFR 28|BUN 46|glucose 312|A1c 9.2%|
INR 3.4|aPTT 88|troponin 0.42|BNP 1840|lactate 3.9|procalcitonin 2.1|CRP 118|ESR 74|
TSH 0.03|free T4 3.1|ALT 212|AST 180|bili 3.2|albumin 2.4|lipase 940|ammonia 88|
ferritin 9|B12 140|Mg 1.3|phos 1.9|Ca 11.8|pH 7.21|pCO2 62|HCO3 14|anion gap 22|
urine culture E. coli >100k|blood cultures no growth at 48h|CK 4200|D-dimer 4.8|
fibrinogen 110|haptoglobin <10|LDH 890|uric acid 10.2|PSA 11.4|CEA 18|CA 19-9 420|
UACR 320 mg/g|LDL 162|triglycerides 540|HIV viral load undetectable|CD4 310|
hs-troponin 68 ng/L|NT-proBNP 5200|SpO2 86% on RA|QTc 512 ms""",
    "proc": """colonoscopy|EGD|ERCP|paracentesis|thoracentesis|lumbar puncture|bone marrow biopsy|
CT abdomen/pelvis with contrast|CT head without contrast|CTA chest|MRI brain with and without contrast|
MRI lumbar spine|TTE|TEE|stress echo|cardiac cath|PCI to the LAD|CABG x3|TAVR|pacemaker insertion|
ICD interrogation|DC cardioversion|ablation for AF|bronchoscopy with BAL|EBUS|PICC line placement|
central line placement|arterial line|hemodialysis|CRRT|PEG tube placement|NG tube placement|
Foley catheter|chest tube|laparoscopic cholecystectomy|appendectomy|hip hemiarthroplasty|
ORIF of the ankle|total knee arthroplasty|carpal tunnel release|cystoscopy|TURP|
renal ultrasound|Doppler US of the LLE|DEXA scan|mammogram|PET-CT|EEG|EMG/NCS|
polysomnography|PFTs|6-minute walk test|wound vac change|I&D of abscess|skin biopsy|
cataract surgery|intravitreal injection|kyphoplasty|epidural steroid injection""",
    "dx": """CHF exacerbation|NSTEMI|atrial fibrillation with RVR|COPD exacerbation|community-acquired pneumonia|
sepsis from a urinary source|DKA|HHS|acute kidney injury|CKD stage 4|cirrhosis with ascites|
hepatic encephalopathy|upper GI bleed|C. diff colitis|cellulitis of the RLE|osteomyelitis|
diabetic foot ulcer|PE|DVT|ischemic stroke|TIA|subdural hematoma|delirium|alcohol withdrawal|
hip fracture|syncope|hyponatremia|hyperkalemia|pancreatitis|cholecystitis|SBO|diverticulitis|
pyelonephritis|UTI|asthma exacerbation|COVID-19 pneumonia|influenza A|RSV bronchiolitis|
major depressive disorder|generalized anxiety disorder|type 2 diabetes|hypertension|
hypothyroidism|rheumatoid arthritis|gout flare|lupus nephritis|multiple myeloma|
metastatic breast cancer|NSCLC|prostate cancer|sickle cell crisis|iron deficiency anemia|
pressure injury stage 3|failure to thrive|Parkinson's disease|Alzheimer's dementia|
seizure disorder|migraine|GERD|OSA on CPAP""",
    "vital": """BP 168/94|BP 92/58|HR 118|HR 48|RR 24|T 38.9|T 101.4 F|SpO2 91% on 2L NC|
SpO2 97% on RA|MAP 62|weight 84.2 kg|BMI 34|GCS 13|pain 7/10|urine output 20 mL/h|
I/O +2.1 L|FiO2 40%|PEEP 8""",
    "score": """NIHSS 4|CURB-65 of 2|Wells score 6|CHA2DS2-VASc 4|HAS-BLED 3|MELD 22|Child-Pugh B|
qSOFA 2|APGAR 8/9|Braden 12|Morse fall score 55|PHQ-9 of 17|GAD-7 of 12|MoCA 21/30|
MMSE 18/30|ECOG 2|NYHA class III|Killip class II|Glasgow-Blatchford 9|CIWA 14|
Caprini 5|Padua 4|Berg balance 38|TUG 19 sec|FEV1 48% predicted|LVEF 25%""",
}
POOLS = {k: [t.strip() for t in v.replace("\n", "").split("|") if t.strip()]
         for k, v in _POOL_TEXT.items()}

# --- templates: {phi kind}, {prefix}/{country} plain, <pool> clinical pick, «literal» clinical ---
T: list[str] = []
# chat
T += [
    "pt moved to {addr_1l}, pls update the chart before the «home health» visit. still on <drug> and <drug>",
    "daughter {name} can be reached at {phone}, she's the «HCPOA». pt s/p <proc>, <lab> this am",
    "DOB {dob}, lives in {city}. here with <dx>, started <drug>",
    "can someone call {name}'s son {first}? {phone_x}. «code status» discussion needed, <score>",
    "new address for {name}:\n{addr_ml}\nneeds «DME» delivery (walker + shower chair) before d/c",
    "fyi {last} on 5 West ({prefix} {last}, not the other one) — <lab>, <lab>, repeat in 6h",
    "pt's wife {name} says they moved from {city} last month; PCP still listed at {facility}. <dx>",
    "pls fax the «discharge summary» to {fax} attn {clin}. pt on <drug>, <drug>",
    "got a msg from {email} claiming to be the pt's sister?? pt ({name}) hasn't consented to share info. <dx>",
    "{name} (DOB {dob}) — <lab>, <lab>, <vital>. holding <drug>",
    "who's covering {name}? husband {first} keeps calling {phone_cc} asking about the <proc> results",
    "lol the pharmacy has her as living at {street} but she's at {street} now. <drug> delivery went to the old one",
    "son {name} drove her in, his car ({plate}) is in the ambulance bay, security wants it moved. pt «72 yo» w/ <dx>",
    "pt's «home health» nurse {name}, {phone_dots}, says <vital> at home, <drug> missed x2",
    "zip code is {postcode} — does that fall in our «hospice» catchment? <dx>, <score>",
    "pt is from {region}, visiting family here. here for <dx>, <lab>. insurance is out of network",
    "can u check the portal login for {user}? pt says they can't see the <proc> report",
    "msg from {user}: \"my mom's <lab>, is that bad?\" — pls call back {phone}",
    "interpreter needed for {name}, family contact {first} at {phone_cc}. <dx>, on <drug>",
    "ugh the lab mislabelled {name}'s tubes as {name}. redraw <lab> and <lab>",
    "pt {name} ssn on the face sheet is {ssn} but registration has a diff one, pls fix before billing. <proc> tmrw",
    "{first} from {facility} called about the transfer — <dx>, <vital>, <vital>",
    "reminder: {name}'s «NPO after midnight» for <proc>, consent signed. ride home is {first}, {phone}",
    "pt moving in with daughter at {addr_1l_c}, pls send records. <dx>, last <lab>",
    "is {email} the right address for the pt's «advance directive» copy? ({name}, DOB {dob})",
    "visiting nurse says {name} no longer lives at {street}, {city} — new place unknown. missed <drug> x3",
    "pt walked out AMA, last seen heading to {city}. police have the car: {plate}. <dx>, «IV removed»",
    "portal message from {name} ({email}): \"can I take <drug> with my <drug>?\"",
    "ok so {name} is actually {suffixed}, his dad is also a pt here, don't mix up the charts. <dx>",
    "the «wound care» supplies ship to {addr_1l} — confirm w/ {first} at {phone_x}",
]
# handover / sign-out
T += [
    "HANDOVER\n{name}, <dx>. <vital>, <lab>. On <drug>. Family: {first} {phone}\nTo do: <proc> in AM",
    "Night sign-out — {name} (DOB {dob}): <dx>, on <drug>. If <vital> → call {clin} at {phone_x}. Code status «full code».",
    "SBAR\nS: {name}, <dx>\nB: from {facility}, <drug>\nA: <vital>, <lab>\nR: <proc>, recheck <lab>\n-- {user}",
    "ED sign-out: {name}, presented from {city} by EMS. <dx>, <score>. Got <drug>. Dispo pending <proc>. Sister {name} at {phone}.",
    "handoff: {last} ({prefix} {last}), <dx>, <lab> → <drug>. pt wants daughter {first} updated: {phone_cc}",
    "Weekend handover — {name}, {addr_1l}. <dx> on <drug> and <drug>. «DNR/DNI». Next of kin {name}, {phone}.",
    "ICU handover\n{name}, DOB {dob}\n<dx>\n<drug>, <drug>\n<vital>, <vital>\nLines: «R IJ CVC», «A-line»\nFamily: {first}, {phone_x}",
    "sign-out from {clin} to {clin}: {name} — <dx>, <lab>, plan <proc>. {prefix} {last}'s son is the contact ({phone}).",
    "Handover note {date}: {name} transferred from {facility}. <dx>, <score>, on <drug>.",
    "OB handover: {name}, «G2P1», <vital>, on «oxytocin 2 mU/min». partner {first} {phone_dots}",
]
# referral letters
T += [
    "Dear {prefix} {last},\n\nThank you for seeing {name}, DOB {dob}, of {addr_1l}, who has <dx>. <lab> and <lab>. She is on <drug>. I would be grateful for your opinion regarding <proc>.\n\nYours sincerely,\n{clin}\n{facility}\nTel {phone_cc} | Fax {fax}",
    "REFERRAL\nTo: {clin}, {facility}\nRe: {name}\nDOB: {dob}\nAddress:\n{addr_ml_c}\nPhone: {phone_cc}\nReason: <dx>, <lab>. Currently on <drug> and <drug>.",
    "Dear Colleague,\nRe: {name}, {addr_1l}\nI saw this patient today with <dx>. <vital>, <score>. Plan: <proc>, continue <drug>.\nKind regards,\n{clin} (email {email})",
    "Referral to «cardiology»: {name} (DOB {dob}), <dx>, <lab>, <proc> showed <score>. Please contact the patient on {phone} or at {email}.",
    "Dear Dr {last},\nI am writing about our mutual patient {name}, who has moved to {city}, {region}. Her <dx> is managed with <drug>. Her new address is:\n{addr_ml}\nBest wishes,\n{clin}",
    "Re: {name}, NHS/ID no. {natid}\nThank you for referring this gentleman with <dx>. <proc> was performed; <lab>. He lives at {addr_1l} with his wife {first}.",
    "Referral letter\nPatient: {name}\nDate of birth: {dob}\nReferred by: {clin}, {facility}\nPhone: {phone_x}\nFax: {fax}\nClinical details: <dx>; <lab>; <vital>. Meds: <drug>.",
    "Lieber Kollege / dear colleague — {name} ({dob}), {addr_1l_c}. <dx>, bitte um <proc>. Meds: <drug>. Tel {phone_cc}.",
]
# discharge paperwork
T += [
    "DISCHARGE SUMMARY\nPatient: {name}   DOB: {dob}\nAdmitted: {date}   Discharged: {date}\nDiagnosis: <dx>\nProcedures: <proc>\nDischarge meds: <drug>; <drug>; <drug>\nFollow-up: {clin}, {facility}, {phone}",
    "Discharge to: {addr_ml}\nTransport by son {name} ({phone}). Meds: <drug>, <drug>. «Home O2 2 L».",
    "Discharge instructions for {name}: take <drug>. Return if <vital>. Questions: {phone_x} or {url}",
    "D/C paperwork: pt {name}, {street}, {city} {postcode}. <dx>, follow up <proc> in 2 wks. Card on file for copay: {card}",
    "Discharge summary — {name}, DOB {dob}. Admitted {date} with <dx>; <proc> on {date}. Discharged home to {city} on <drug>.",
    "Nursing home transfer: {name} to {facility}. Report called to {first} at {phone}. <drug>, <drug>. <score>.",
    "After-visit summary sent to {email}. {name}, <dx>, start <drug>, stop <drug>. Next <lab> in 1 week.",
    "Discharge checklist\n[x] meds reconciled: <drug>, <drug>\n[x] follow-up with {clin} {date}\n[x] address verified: {addr_1l_c}\n[ ] «home health» referral",
]
# admin-ish but clinical setting
T += [
    "Registration note: {name}, DOB {dob}, SSN {ssn}, {addr_1l}. Admit for <dx>.",
    "Face sheet\nName: {name}\nDOB: {dob}\nAddress: {addr_ml_c}\nHome: {phone}\nMobile: {phone_cc}\nEmail: {email}\nNational ID: {natid}\nAdmitting dx: <dx>",
    "self-pay pt {name}: payment plan via IBAN {iban}, billing asked us to note it. <proc> scheduled, <lab>",
    "refund for the <proc> copay goes to card {card} ({name}). clinically: <dx>, on <drug>",
    "pt {name} is an international visitor, passport {passport}, insured abroad. <dx>, <lab>, <vital>",
    "driver's licence {dl} used as ID for {name} at check-in; pt arrived with <dx>, <vital>",
    "prescriber {clin}, NPI {npi}, signed the <drug> order for {name}.",
    "EHR access alert: user {user} logged in from {ipv4} and opened {name}'s chart (<proc> report).",
    "telehealth visit with {name}: connection from {ipv6} dropped twice. <dx>, <score>, plan <drug>",
    "pt uploaded photos of the <dx> to {url}; pls don't use outside links, ask {name} to use the portal",
    "specimen {oid} for {name} — <lab> flagged critical, called to {clin}",
    "claim {oid} denied for {name}'s <proc>; appeal letter to {addr_1l}. «prior auth» for <drug> also pending",
    "«home health» intake: {name}, {addr_1l}, gate code is with {first} ({phone}). Vehicle on drive {plate}. <dx>, <drug>.",
    "«social work» note: {name} (DOB {dob}) staying with friend {name} at {street}, {city}. needs help affording <drug>.",
    "occupational health: employee {oid}, {name}, needlestick today; source pt bloods sent. start «PEP» per protocol, <lab> baseline",
    "«case management»: {name}'s mail goes to a PO box in {city}, {postcode}; send the <proc> appointment letter there",
    "pt's national id {natid} and DOB {dob} confirmed against the wristband before <proc> («time-out» done)",
    "RN note: pt {name} asked that her ex, {name}, is NOT given info. he may call from {phone}. <dx>, on <drug>",
    "«infection prevention»: {name} works at {facility}; notify them re <dx>. contact {email} / {phone_x}",
    "pt's son lives abroad ({country}) — {name}, {phone_cc}, {email}. update after <proc>",
    "mother {name} ({country}-born, lives in {city}) on <drug>, <lab>. translator booked",
    "«dialysis» chair time moved; pt {name} will be driven by {first} in {plate} from {addr_1l}. <lab>, <lab>",
    "outpatient pharmacy: {name}, {addr_1l_c}, pays by card {card}. Rx: <drug>, <drug>",
    "ambulance crew: picked up {name} at {addr_ml} — found on floor, <vital>, <vital>, given <drug>",
    "telemetry alert for {name}: <vital>, <lab>. monitor tech {first} ({user}) paged {clin} at {phone_dots}",
    "Patient portal sign-up: {user} / {email}, {name}, DOB {dob}. Reason for visit: <dx>",
    "«wound clinic» f/u for {name} at {facility} on {date}. <dx>, <proc> planned, continue <drug>",
    "pt requests records be emailed to {email} and mailed to {addr_ml_c}. diagnoses: <dx>, <dx>",
    "allergy clarification: {name} says reaction to <drug> was a rash, per her GP {clin} at {facility} ({phone})",
    "«tumor board» {date}: {name}, <dx>, <lab>, <proc> → plan <drug>. referring {clin}, fax {fax}",
    "pt {name} reports living in a car ({plate}) near {city}. <dx>, <vital>. «social work» consulted",
    "{name}'s «POLST» is on file; the original is with her lawyer at {addr_1l}. <dx>, <score>",
    "bloods for {name} drawn at {facility}: <lab>, <lab>, <lab>. results to {email}",
    "clinic letter cc: {clin}, {addr_ml}\nRe {name}: <dx> stable on <drug>; <lab>.",
    "pt {name} {ssn} — identity confirmed, consent for <proc> signed, «time-out» completed",
    "PACS note: images for {name} pushed from {ipv4} for the <proc> read; accession {oid}",
    "nurse line: caller {name}, {phone_x}, calling for her dad {name} (DOB {dob}) — <vital> at home after starting <drug>",
    "home visit: {addr_1l}. pt {name} alert, <vital>, <vital>. daughter {name} present. continue <drug>",
    "«advance care planning» with {name} and wife {first}; they live in {city}, {region}. <dx>, <score>",
    "«locum» {clin} (licence {npi}, passport {passport} on the agency file) covering clinic; first list: {name} with <dx>",
    "pt {name} can't drive after <proc> — DVLA/DMV told; licence no. {dl}, car {plate} to be collected by {first}",
    "Controlled-drug order for <drug>: prescriber {clin}, NPI {npi}, DL {dl} on file; pt {name}, DOB {dob}",
    "wifi log: pt {name}'s laptop on {ipv4} / {ipv6} was streaming during the <proc> consent, pls redo consent. see {url}",
    "pt's blog ({url}) describes her <dx> in detail incl. her full name {name}; «patient relations» aware",
    "fax from {facility}: {fax}, re {name}, <proc> results — <lab>; original request sent from {email}",
    "pt {name} pays the <proc> deposit by card {card} or transfer to {iban}; clinically <dx>, <lab>",
]


# --- rendering -----------------------------------------------------------------------------------------
RARE = re.compile(r"\{(fax|ssn|natid|iban|card|plate|passport|dl|npi|url|ipv4|ipv6|oid)\}")
TOKEN = re.compile(r"\{(\w+)\}|«([^»]*)»|<(\w+)>")


def render(template: str, gen: Gen, rng: random.Random) -> tuple[str, list[dict[str, Any]], list[str]]:
    text, phi, terms = [], [], []
    pos = 0
    last = 0
    for m in TOKEN.finditer(template):
        lit = template[last:m.start()]
        text.append(lit)
        pos += len(lit)
        last = m.end()
        kind, literal, pool = m.groups()
        if kind:
            if kind in PLAIN_KINDS:
                value = getattr(gen, kind)()
            elif kind in PHI_KINDS:
                value = getattr(gen, ALIASES.get(kind, kind))().strip()
                assert value, kind
                phi.append({"start": pos, "end": pos + len(value), "type": PHI_KINDS[kind]})
            else:
                raise KeyError(kind)
        elif literal is not None:
            value = literal
            terms.append(value)
        else:
            value = rng.choice(POOLS[pool])
            terms.append(value)
        text.append(value)
        pos += len(value)
    text.append(template[last:])
    return "".join(text), phi, list(dict.fromkeys(terms))


def check(text: str, phi: list[dict[str, Any]], terms: list[str]) -> bool:
    spans = sorted((p["start"], p["end"]) for p in phi)
    for (_s1, e1), (s2, _e2) in itertools.pairwise(spans):
        assert e1 <= s2, (text, spans)
    for p in phi:
        value = text[p["start"]:p["end"]]
        assert value and value == value.strip(), (text, p)
        assert not re.fullmatch(r"(19|20)\d\d", value), (text, p)
    for term in terms:
        assert term in text, (text, term)
        start = text.find(term)
        while start >= 0:
            if any(start < e and s < start + len(term) for s, e in spans):
                return False  # a clinical term overlaps PHI: draw again
            start = text.find(term, start + 1)
    return True


def main() -> None:
    Faker.seed(SEED)
    fk = Faker(LOCALES)
    rng = random.Random(SEED)
    random.seed(SEED)  # a few providers use the module-level random
    # every template twice, the rest from templates carrying the rarer identifier kinds
    order = T * 2
    rare = [t for t in T if RARE.search(t)]
    rng.shuffle(rare)
    order += [rare[i % len(rare)] for i in range(N_RECORDS - len(order))]
    rng.shuffle(order)
    locales = [LOCALES[i % len(LOCALES)] for i in range(N_RECORDS)]
    rng.shuffle(locales)
    records: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, (template, loc) in enumerate(zip(order, locales, strict=True), 1):
        gen = Gen(fk, loc, rng)
        for _ in range(50):
            text, phi, terms = render(template, gen, rng)
            if text not in seen and check(text, phi, terms):
                break
        else:
            raise RuntimeError(f"could not render record {i}")
        seen.add(text)
        records.append({"id": f"faker-{i:03d}", "split": "tuning", "text": text, "phi": phi,
                        "clinical_terms": terms})
    # per-type minimum
    rec_per_type = Counter(t for r in records for t in {p["type"] for p in r["phi"]})
    spans_per_type = Counter(p["type"] for r in records for p in r["phi"])
    with OUT.open("w", encoding="utf-8") as handle:
        for r in records:
            handle.write(json.dumps(r, ensure_ascii=False) + "\n")
    print("| type | records | spans |\n|---|---|---|")
    for t in TYPES:
        print(f"| {t} | {rec_per_type[t]} | {spans_per_type[t]} |")
    print(f"| **total** | **{len(records)}** | **{sum(spans_per_type.values())}** |")
    n_terms = sum(len(r["clinical_terms"]) for r in records)
    distinct = len({t for r in records for t in r["clinical_terms"]})
    print(f"clinical terms: {n_terms} (per record, distinct within it), {distinct} distinct strings")
    print(f"locales: {len(set(locales))}; templates: {len(T)}")
    for t in TYPES:
        assert rec_per_type[t] >= MIN_RECORDS_PER_TYPE, (t, rec_per_type[t])
    assert set(spans_per_type) <= set(TYPES), spans_per_type


if __name__ == "__main__":
    main()
