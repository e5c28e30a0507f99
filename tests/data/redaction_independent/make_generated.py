"""Build generated.jsonl with presidio-evaluator's own generator, templates and fake data.

This generator is deliberately not ours: sentences come from presidio-evaluator's bundled
`templates.txt` and its fake-person table, so nothing in it was shaped by our redaction rules.
It is not needed by the tests (the output is committed); to re-run it, install the pinned
packages into a scratch directory rather than the project's environment:

    pip install --no-deps --target /tmp/pe_lib presidio-evaluator==0.3.2 faker==40.63.0 \
        pandas==3.1.1 python-dotenv==1.2.4
    PYTHONPATH=/tmp/pe_lib python tests/data/redaction_independent/make_generated.py

(numpy, PyYAML, requests, tqdm, python-dateutil come from the project's environment.)
Nothing is fetched at run time: the hospital provider, whose only use would be a WikiData
download, is left out — no bundled template uses it.
"""

from __future__ import annotations

import json
from pathlib import Path

from presidio_evaluator.data_generator import PresidioSentenceFaker
from presidio_evaluator.data_generator.faker_extensions import (
    AddressProviderNew,
    AgeProvider,
    IpAddressProvider,
    NationalityProvider,
    OrganizationProvider,
    PhoneNumberProviderNew,
    ReligionProvider,
    UsDriverLicenseProvider,
)

SEED = 20261202
CANDIDATES = 600
WANTED = 250
OUT = Path(__file__).with_name("generated.jsonl")

# presidio-evaluator's template entity -> our Safe Harbor type; None: not PHI under Safe
# Harbor (states, countries, years alone, organisations, jobs, nationalities, titles).
SAFE_HARBOR = {
    "person": "PERSON", "name": "PERSON", "name_female": "PERSON", "name_male": "PERSON",
    "first_name": "PERSON", "first_name_male": "PERSON", "first_name_female": "PERSON",
    "first_name_nonbinary": "PERSON", "last_name": "PERSON", "last_name_male": "PERSON",
    "last_name_female": "PERSON",
    "address": "ADDRESS", "street_name": "ADDRESS", "building_number": "ADDRESS",
    "secondary_address": "ADDRESS",
    "city": "LOCATION", "postcode": "LOCATION", "zipcode": "LOCATION",
    "phone_number": "PHONE", "email": "EMAIL", "url": "URL", "ssn": "SSN",
    "ip_address": "IP_ADDRESS", "us_driver_license": "LICENSE",
    "credit_card_number": "ACCOUNT", "iban": "ACCOUNT",
    "date_time": "DATE", "date_of_birth": "DATE",
    "age": "AGE",  # only when over 89, see below
    "country": None, "state": None, "state_abbr": None, "year": None, "day_of_week": None,
    "organization": None, "nationality": None, "nation_woman": None, "nation_man": None,
    "nation_plural": None, "job": None, "prefix": None, "prefix_male": None,
    "prefix_female": None,
}


def _age_over_89(value: str) -> bool:
    try:
        return float(value) > 89
    except ValueError:
        return False


def main() -> None:
    providers = [IpAddressProvider, NationalityProvider, OrganizationProvider,
                 UsDriverLicenseProvider, AgeProvider, AddressProviderNew,
                 PhoneNumberProviderNew, ReligionProvider]
    faker = PresidioSentenceFaker(
        locale="en_US", lower_case_ratio=0.05, entity_providers=providers,
        # identity mapping: spans keep the template's entity name, mapped by us below
        entity_type_mapping={k: k for k in SAFE_HARBOR}, random_seed=SEED)
    samples = faker.generate_new_fake_sentences(CANDIDATES)
    records: list[dict[str, object]] = []
    seen: set[str] = set()
    for sample in samples:
        text = sample.full_text
        if text in seen:
            continue
        phi = []
        for span in sorted(sample.spans, key=lambda s: s.start_position):
            kind = SAFE_HARBOR[span.entity_type]
            value = text[span.start_position:span.end_position]
            # the lower-case option changes entity_value but not always the text: text rules
            assert value.lower() == span.entity_value.lower(), (value, span.entity_value)
            if kind == "AGE" and not _age_over_89(value):
                kind = None
            if kind is None or not value.strip():
                continue
            phi.append({"start": span.start_position, "end": span.end_position, "type": kind})
        if not phi:
            continue
        seen.add(text)
        records.append({"id": f"gen-{len(records) + 1:04d}", "split": "independent-generated",
                        "text": text, "phi": phi, "clinical_terms": []})
        if len(records) == WANTED:
            break
    assert len(records) == WANTED, len(records)
    with OUT.open("w") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
