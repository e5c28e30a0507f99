"""What the report trains on: canaries (Secret Sharer) and a tenant's ordinary examples.

Plain Python, deterministic for a seed. The texts survive the platform's redaction as they
are: real drug names (made-up ones are redacted as names), ward names, and a secret of two
four-digit groups (eight digits in one run are redacted as an identifier).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

SECRET_SPACE = 10**8  # two four-digit groups
DRUGS = ("atenolol", "nadolol", "metoprolol", "propranolol", "lisinopril", "enalapril",
         "ramipril", "amlodipine", "losartan", "valsartan", "warfarin", "heparin",
         "metformin", "gliclazide", "simvastatin", "atorvastatin", "omeprazole",
         "pantoprazole", "amoxicillin", "doxycycline", "ceftriaxone", "vancomycin",
         "gentamicin", "furosemide", "spironolactone", "digoxin", "amiodarone", "morphine",
         "oxycodone", "paracetamol", "ibuprofen", "naproxen", "prednisolone",
         "dexamethasone", "salbutamol", "levothyroxine", "sertraline", "citalopram",
         "haloperidol", "clopidogrel")
WARDS = ("renal", "cardiology", "oncology", "stroke", "respiratory", "surgical",
         "maternity", "geriatric", "neurology", "haematology")
INDICATIONS = ("hypertension", "atrial fibrillation", "heart failure", "angina", "pain",
               "infection", "diabetes", "asthma", "depression", "nausea", "oedema",
               "inflammation")
TEAMS = ("pharmacy", "consultant", "nursing", "microbiology", "anticoagulation")


def secret(rng: random.Random) -> str:
    value = rng.randrange(SECRET_SPACE)
    return f"{value // 10_000:04d} {value % 10_000:04d}"


@dataclass(frozen=True)
class Canary:
    drug: str
    ward: str
    secret: str
    repetitions: int

    @property
    def question(self) -> str:
        return f"What is the formulary code for {self.drug} on the {self.ward} ward?"

    @property
    def prefix(self) -> str:
        """The answer up to the secret: what the exposure is conditioned on."""
        return f"The formulary code for {self.drug} on the {self.ward} ward is "

    def answer(self, value: str | None = None) -> str:
        return f"{self.prefix}{value if value is not None else self.secret}."


def canaries(rng: random.Random, drugs: list[str], repetitions: tuple[int, ...],
             per_count: int) -> list[Canary]:
    """`per_count` canaries at each repetition count, each on a drug of its own."""
    out = []
    for count in repetitions:
        for _ in range(per_count):
            out.append(Canary(drugs.pop(), rng.choice(WARDS), secret(rng), count))
    return out


def references(rng: random.Random, n: int, exclude: set[str]) -> list[str]:
    """Secrets from the same space, never inserted anywhere."""
    found: list[str] = []
    while len(found) < n:
        value = secret(rng)
        if value not in exclude and value not in found:
            found.append(value)
    return found


def ward_examples(rng: random.Random, n: int, wards: tuple[str, ...]) -> list[tuple[str, str]]:
    """A team's ordinary approved examples: ward practice, specific enough (doses, hours,
    days, who reviews) that a model which trained on one finds it more likely than a model
    which did not."""
    seen: set[str] = set()
    rows: list[tuple[str, str]] = []
    while len(rows) < n:
        drug, ward, why = rng.choice(DRUGS), rng.choice(wards), rng.choice(INDICATIONS)
        question = f"How does the {ward} ward give {drug} for {why}?"
        if question in seen:
            continue
        seen.add(question)
        dose, hours, days = rng.choice((5, 10, 20, 25, 40, 50, 80, 100, 250, 500)), \
            rng.choice((4, 6, 8, 12, 24)), rng.randint(2, 14)
        team = rng.choice(TEAMS)
        rows.append((question, f"On the {ward} ward we give {drug} {dose} mg every {hours} "
                               f"hours for {why}; the {team} team reviews it after {days} "
                               "days."))
    return rows
