"""Generate tests/data/redaction_eval.jsonl: synthetic clinician messages with exact PHI spans.

Deterministic (seeded). Templates 0..DEV_TEMPLATES-1 form the development part the
recognizers were tuned on; the rest are a hold-out written separately, with phrasings the
rules were not shaped for. All people, numbers and places are invented.

    python tests/data/make_redaction_eval.py
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

OUT = Path(__file__).with_name("redaction_eval.jsonl")
PER_TEMPLATE = 4

FIRST = ["John", "Eleanor", "Maria", "Ahmed", "Priya", "Wei", "Olga", "Kwame", "Sofia", "Liam",
         "Aisha", "Hiroshi", "Fatima", "Carlos", "Ingrid", "Tomasz", "Nkechi", "Rafael", "Mei",
         "Dmitri", "Grace", "Yusuf", "Hannah", "Luca", "Amara", "Oscar", "Leila", "Henrik",
         "Beatriz", "Samuel"]
LAST = ["Whitaker", "Vasquez-Pike", "Okafor", "Nguyen", "Kowalski", "Haddad", "Lindqvist",
        "Moreau", "Tanaka", "O'Brien", "Schmidt", "Adeyemi", "Rossi", "Fernandes", "Petrov",
        "Kaplan", "Mbeki", "Johansson", "Delgado", "Chen", "Abernathy", "Castellano", "Novak",
        "Osei", "Gallagher", "Yilmaz", "Sandoval", "Brennan", "Takahashi", "McAllister"]
STREETS = ["Larkspur Lane", "Elm Street", "Harbor Blvd", "Willow Court", "Maple Avenue",
           "Quarry Road", "Sycamore Drive", "Beacon St", "Juniper Way", "Orchard Place"]
CITIES = ["Portland", "Springfield", "Boulder", "Tacoma", "Savannah", "Dayton", "Fresno",
          "Burlington", "Madison", "Ann Arbor"]
STATES = ["OR", "MA", "CO", "WA", "GA", "OH", "CA", "VT", "WI", "MI"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
DOMAINS = ["example.org", "mail.example.com", "example.net"]


def person(r: random.Random) -> str:
    first, last = r.choice(FIRST), r.choice(LAST)
    return r.choice([f"{first} {last}", f"{first} {last}", f"{last}, {first}", f"{first[0]}. {last}"])


def date(r: random.Random) -> str:
    y, m, d = r.randint(1930, 2025), r.randint(1, 12), r.randint(1, 28)
    return r.choice([f"{m:02d}/{d:02d}/{y}", f"{m}/{d}/{y % 100:02d}", f"{y}-{m:02d}-{d:02d}",
                     f"{MONTHS[m - 1]} {d}, {y}", f"{d} {MONTHS[m - 1]} {y}",
                     f"{MONTHS[m - 1][:3]} {d}", f"{d:02d}.{m:02d}.{y}"])


def phone(r: random.Random) -> str:
    a, b, c = r.randint(201, 989), r.randint(200, 999), r.randint(0, 9999)
    return r.choice([f"({a}) {b}-{c:04d}", f"{a}-{b}-{c:04d}", f"{a}.{b}.{c:04d}",
                     f"+1 {a} {b} {c:04d}"])


SLOTS = {
    "PERSON": ("PERSON", person),
    "FIRST": ("PERSON", lambda r: r.choice(FIRST)),
    "LAST": ("PERSON", lambda r: r.choice(LAST)),
    "DATE": ("DATE", date),
    "MRN": ("MRN", lambda r: r.choice([f"{r.randint(10**6, 10**8 - 1)}",
                                        f"{r.randint(10**7, 10**8 - 1):08d}",
                                        f"A{r.randint(10**6, 10**7 - 1)}"])),
    "PHONE": ("PHONE", phone),
    "EMAIL": ("EMAIL", lambda r: f"{r.choice(FIRST).lower()}.{r.choice(LAST).lower()}"
                                 .replace("'", "") + f"@{r.choice(DOMAINS)}"),
    "SSN": ("SSN", lambda r: f"{r.randint(100, 665)}-{r.randint(10, 99)}-{r.randint(1000, 9999)}"),
    "ADDRESS": ("ADDRESS", lambda r: r.choice([
        f"{r.randint(2, 9999)} {r.choice(STREETS)}",
        f"{r.randint(2, 999)} N. {r.choice(STREETS)}, Apt {r.randint(1, 40)}B"])),
    "CITY": ("LOCATION", lambda r: r.choice(CITIES)),
    "ZIP": ("ADDRESS", lambda r: f"{r.randint(10000, 99999)}"),
    "AGE": ("AGE", lambda r: str(r.randint(90, 104))),
    "ACCOUNT": ("ACCOUNT", lambda r: r.choice([f"HPX{r.randint(10**6, 10**7 - 1)}",
                                                f"{r.randint(10**7, 10**8 - 1)}",
                                                f"MB-{r.randint(1000, 9999)}-{r.randint(10, 99)}"])),
    "ROOM": ("ROOM", lambda r: r.choice([f"{r.randint(100, 999)}", f"{r.randint(1, 40)}B",
                                          f"{r.randint(2, 12)}"])),
    "DEVICE": ("DEVICE_ID", lambda r: f"{r.choice(['PX', 'MDT', 'BSC'])}-{r.randint(10000, 99999)}"
                                      f"-{r.choice('ABCDEFGH')}"),
}

# (template, clinical terms that must survive). {STATE} is a state, not PHI.
TEMPLATES: list[tuple[str, list[str]]] = [
    ("Patient {PERSON}, MRN {MRN}, DOB {DATE}: should metformin 1000 mg daily continue with "
     "eGFR 48?", ["metformin 1000 mg daily", "eGFR 48"]),
    ("{PERSON} (MRN: {MRN}) has Parkinson's disease; carbidopa-levodopa 25/100 mg TID.",
     ["Parkinson's disease", "carbidopa-levodopa 25/100 mg TID"]),
    ("Please call {FIRST} at {PHONE} about the warfarin dose; INR 3.4 today.",
     ["warfarin", "INR 3.4"]),
    ("Mr. {LAST} in room {ROOM} has a Foley catheter since {DATE}; urine output 30 mL/h.",
     ["Foley catheter", "30 mL/h"]),
    ("Discharge summary for {PERSON}, DOB {DATE}, lives at {ADDRESS}, {CITY}, {STATE} {ZIP}.",
     []),
    ("{AGE}-year-old woman with Glasgow Coma Scale 13, on apixaban 2.5 mg BID.",
     ["Glasgow Coma Scale 13", "apixaban 2.5 mg BID"]),
    ("SSN {SSN} was entered on the wrong chart for {PERSON}; please fix before billing.", []),
    ("Email results to {EMAIL}; HbA1c 8.1%, LDL 3.2 mmol/L, E11.65 coded.",
     ["HbA1c 8.1%", "LDL 3.2 mmol/L", "E11.65"]),
    ("Daughter {FIRST} ({PHONE}) asks whether Hashimoto's thyroiditis explains the fatigue.",
     ["Hashimoto's thyroiditis"]),
    ("Member ID {ACCOUNT} denied the MRI lumbar spine for {PERSON}; appeal by {DATE}.",
     ["MRI lumbar spine"]),
    ("Pacemaker serial {DEVICE} for {PERSON} interrogated {DATE}; RV pacing 12%.",
     ["RV pacing 12%"]),
    ("Dr. {LAST} wants Crohn's disease flare managed with prednisone 40 mg, taper 5 mg weekly.",
     ["Crohn's disease", "prednisone 40 mg", "taper 5 mg weekly"]),
    ("{PERSON}, {AGE} yo, fell at home ({ADDRESS}); CT head negative, Babinski sign absent.",
     ["CT head", "Babinski sign"]),
    ("Pt {PERSON} MRN {MRN} — potassium 3.1, give KCl 40 mEq PO x2.",
     ["potassium 3.1", "KCl 40 mEq PO x2"]),
    ("Wife {FIRST} can be reached at {PHONE} or {EMAIL} after 5 pm.", []),
    ("Seen on {DATE} for Bell's palsy; valacyclovir 1 g TID for 7 days.",
     ["Bell's palsy", "valacyclovir 1 g TID"]),
    ("{PERSON} in bed {ROOM}: pain 7/10, morphine 2 mg IV q4h PRN.",
     ["pain 7/10", "morphine 2 mg IV q4h PRN"]),
    ("Policy number {ACCOUNT}; subscriber {PERSON}, DOB {DATE}.", []),
    ("Apgar score 8 and 9; mother {PERSON} (MRN {MRN}) G2P2, 38+2 weeks.",
     ["Apgar score 8 and 9", "38+2 weeks"]),
    ("{PERSON} from {CITY} reports chest pain; troponin 0.04 ng/mL, ECG with ST depression.",
     ["troponin 0.04 ng/mL", "ST depression"]),
    ("Social security number {SSN} belongs to {PERSON}; verify identity before release.", []),
    ("Transfer {PERSON} to room {ROOM}; vancomycin trough 15 mcg/mL, continue 1 g q12h.",
     ["vancomycin trough 15 mcg/mL", "1 g q12h"]),
    ("Ms. {LAST} aged {AGE} has Alzheimer's disease; donepezil 10 mg nightly.",
     ["Alzheimer's disease", "donepezil 10 mg nightly"]),
    ("Home address {ADDRESS}, {CITY}, {STATE} {ZIP}; phone {PHONE}.", []),
    ("Referral for {PERSON}: Cushing's syndrome suspected, cortisol 28 mcg/dL at 8 am.",
     ["Cushing's syndrome", "cortisol 28 mcg/dL"]),
    ("Contact son {FIRST} {LAST} at {PHONE} regarding DNR status.", ["DNR"]),
    ("{PERSON} (DOB {DATE}) on insulin glargine 20 units nightly, BMI 31.",
     ["insulin glargine 20 units nightly", "BMI 31"]),
    # --- hold-out templates: written after the rules, in other phrasings --------------------
    ("Handover: {LAST}, {FIRST}, {AGE}yo, bay {ROOM}, NPO after midnight for Whipple procedure.",
     ["NPO", "Whipple procedure"]),
    ("Re: {PERSON} - chart number {MRN} - Kawasaki disease, IVIG 2 g/kg given {DATE}.",
     ["Kawasaki disease", "IVIG 2 g/kg"]),
    ("Can someone phone {PERSON} on {PHONE}? Her Trendelenburg position tolerance is poor.",
     ["Trendelenburg position"]),
    ("Lab called: {PERSON}'s lithium 1.6 mmol/L, hold tonight's 600 mg dose.",
     ["lithium 1.6 mmol/L", "600 mg"]),
    ("New patient {PERSON}, born {DATE}, medical record number {MRN}, referred for Graves' "
     "disease.", ["Graves' disease"]),
    ("{FIRST} {LAST}'s insurer claim {ACCOUNT} needs the ICD-10 code I10 and N18.3.",
     ["I10", "N18.3"]),
    ("Device S/N {DEVICE} (insulin pump) belongs to {PERSON}; basal 0.8 units/h.",
     ["insulin pump", "basal 0.8 units/h"]),
    ("Mailing: {ADDRESS}, {CITY} {STATE} {ZIP}. Send the Holter monitor report there.",
     ["Holter monitor"]),
    ("Nurse {FIRST} says {PERSON} scored 4 on the Wells criteria; D-dimer 1.8 mg/L.",
     ["Wells criteria", "D-dimer 1.8 mg/L"]),
    ("{PERSON} turned {AGE} on {DATE}; still on amlodipine 5 mg and atorvastatin 40 mg.",
     ["amlodipine 5 mg", "atorvastatin 40 mg"]),
    ("SSN: {SSN}. MRN {MRN}. Name: {PERSON}. Allergy: penicillin (rash).", ["penicillin"]),
    ("Please fax the Guillain-Barre syndrome notes for {PERSON} to {PHONE}.",
     ["Guillain-Barre syndrome"]),
    ("Spoke with {PERSON} ({EMAIL}) about Raynaud's phenomenon and nifedipine 30 mg XL.",
     ["Raynaud's phenomenon", "nifedipine 30 mg XL"]),
    ("Admitted {DATE}, discharged {DATE} — {PERSON}, sepsis from UTI, ceftriaxone 1 g daily.",
     ["sepsis", "UTI", "ceftriaxone 1 g daily"]),
    ("Guardian {PERSON} at {ADDRESS} consents for the Heimlich-trained school nurse plan.",
     []),
    ("{PERSON} is {AGE} years old; Marfan syndrome excluded, echo shows aortic root 4.1 cm.",
     ["Marfan syndrome", "aortic root 4.1 cm"]),
    ("Ask {FIRST} on {PHONE} whether Mr. {LAST} took sumatriptan 50 mg this morning.",
     ["sumatriptan 50 mg"]),
    ("Group number {ACCOUNT} for {PERSON}; prior auth for adalimumab 40 mg every 2 weeks.",
     ["adalimumab 40 mg every 2 weeks"]),
    ("Correction: {PERSON}'s DOB is {DATE}, not the one on the Tinel sign referral.",
     ["Tinel sign"]),
]
DEV_TEMPLATES = 27
_SLOT = re.compile(r"\{([A-Z]+)\}")


def build() -> list[dict[str, object]]:
    rng = random.Random(20261122)
    records: list[dict[str, object]] = []
    for t_index, (template, clinical) in enumerate(TEMPLATES):
        for n in range(PER_TEMPLATE):
            text, phi, pos = "", [], 0
            for match in _SLOT.finditer(template):
                text += template[pos:match.start()]
                name = match.group(1)
                if name == "STATE":
                    text += rng.choice(STATES)
                else:
                    kind, make = SLOTS[name]
                    value = make(rng)
                    phi.append({"start": len(text), "end": len(text) + len(value), "type": kind})
                    text += value
                pos = match.end()
            text += template[pos:]
            records.append({"id": f"t{t_index:02d}-{n}", "split": "dev" if t_index <
                            DEV_TEMPLATES else "holdout", "text": text, "phi": phi,
                            "clinical_terms": clinical})
    return records


if __name__ == "__main__":
    rows = build()
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    print(f"wrote {len(rows)} records to {OUT}")
