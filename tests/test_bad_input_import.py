"""Hostile or careless JSONL imports: a 400-style report naming the line, nothing imported."""

import json

import pytest

from curation import services
from curation.models import Example
from tenants.scoping import tenant_scope

GOOD = json.dumps({"question": "Max dose of ibuprofen?", "answer": "3200 mg per day."})


def _import(tenant_users, data: bytes) -> services.ImportReport:
    with tenant_scope(tenant_users.tenant):
        return services.import_examples(data, "batch.jsonl", tenant_users.admin)


def test_deep_nesting_and_huge_numbers_are_named_lines_not_crashes(alpha):
    deep = b"[" * 100_000 + b"]" * 100_000
    huge = b'{"question": "q?", "answer": "a", "n": ' + b"9" * 5000 + b"}"
    report = _import(alpha, b"\n".join([GOOD.encode(), deep, huge]))
    assert report.created == 0
    assert report.errors == ["line 2: not valid JSON", "line 3: not valid JSON"]
    with tenant_scope(alpha.tenant):
        assert Example.objects.count() == 0


def test_a_byte_order_mark_is_accepted(alpha):
    report = _import(alpha, b"\xef\xbb\xbf" + GOOD.encode() + b"\n")
    assert report.errors == [] and report.created == 1


def test_a_line_separator_inside_a_string_does_not_split_the_line(alpha):
    line = json.dumps({"question": "Dose\u2028of ibuprofen?", "answer": "400 mg."},
                      ensure_ascii=False)
    report = _import(alpha, (GOOD + "\n" + line + "\r\n").encode())
    assert report.errors == [] and report.created == 2


def test_invalid_utf8_names_the_bad_line_and_imports_nothing(alpha):
    report = _import(alpha, GOOD.encode() + b"\n" + b'{"question": "\xff\xfe"}' + b"\n")
    assert report.created == 0 and report.errors == ["line 2: not UTF-8 text"]


@pytest.mark.parametrize(("value", "code"), [("a\u0000b", "U+0000"), ("bell\u0007", "U+0007"),
                                             ("lone \ud800 half", "U+D800")])
def test_text_postgresql_cannot_store_names_its_line_and_imports_nothing(alpha, value, code):
    lines = [json.dumps({"question": "What is the INR goal?", "answer": "2 to 3."}),
             json.dumps({"question": value, "answer": "fine"})]
    with tenant_scope(alpha.tenant):
        report = services.import_examples("\n".join(lines).encode(), "x.jsonl", alpha.admin)
        assert Example.objects.count() == 0
    assert len(report.errors) == 1 and report.errors[0].startswith("line 2:")
    assert code in report.errors[0]
