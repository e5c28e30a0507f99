"""In a real browser: a reviewer redacts residual PHI with one key; a clinician reports PHI."""

import pytest
from django.urls import reverse

from curation import services
from curation.models import Example, Message
from tenants.scoping import tenant_scope

from .browser import chromium, login
from .conftest import PASSWORD
from .factories import exchange

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORD = "zblrf"  # kept by redact() (no vowel: an abbreviation), flagged by the strict scan

SELECT = """([selector, words]) => {
  // Select `words` inside the element, across whatever tags it is split into.
  const box = document.querySelector(selector);
  const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(words);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at); range.setEnd(node, at + words.length);
    getSelection().removeAllRanges(); getSelection().addRange(range);
    return true;
  }
  return false;
}"""


def test_a_reviewer_sees_the_candidate_selects_it_and_redacts_it_with_one_key(live_server,
                                                                              alpha):
    message = exchange(alpha, f"Does {WORD} tolerate metformin at 500 mg?",
                       "Yes, with food.\r\nRecheck in a week.")
    with tenant_scope(alpha.tenant):
        example = services.propose_from_exchange(message, alpha.clinician)
    with chromium() as browser:
        reviewer = login(browser, live_server.url, alpha.reviewer.email, PASSWORD)
        reviewer.goto(reverse("curation:review_example", args=[example.pk]))
        mark = reviewer.locator("#question mark.residual")
        assert mark.inner_text() == WORD and mark.get_attribute("data-type") == "PERSON"
        assert reviewer.locator("#question-candidates button.clear-phi").count() == 1

        reviewer.select_option("#redact-type", "PERSON")
        reviewer.locator("h1").click()  # focus back on the page, so the key is a shortcut
        assert reviewer.evaluate(SELECT, ["#question", WORD])
        with reviewer.expect_navigation():
            reviewer.keyboard.press("x")
        assert reviewer.locator("#question mark.residual").count() == 0
        assert "<PERSON>" in reviewer.inner_text("#question .ph")
        assert WORD not in reviewer.inner_text("#question")

        # Any words, after other markup: the offsets still land on the stored text.
        assert reviewer.evaluate(SELECT, ["#question", "metformin"])
        with reviewer.expect_navigation():
            reviewer.keyboard.press("x")
        assert reviewer.inner_text("#question") == "Does <PERSON> tolerate <REDACTED> at 500 mg?"

        # The stored answer has CR LF; the page counts it as one character, like any browser.
        assert reviewer.evaluate(SELECT, ["#answer", "Recheck"])
        with reviewer.expect_navigation():
            reviewer.keyboard.press("x")
        assert "<REDACTED> in a week." in reviewer.inner_text("#answer")
    with tenant_scope(alpha.tenant):
        example = Example.objects.get(pk=example.pk)
        source = Message.objects.get(pk=example.source_messages[0])
    assert example.question == source.text == "Does <PERSON> tolerate <REDACTED> at 500 mg?"
    assert example.answer == "Yes, with food.\r\n<REDACTED> in a week."


def test_a_clinician_reports_phi_on_a_chat_message_and_sees_it_re_redacted(live_server, alpha):
    answer = exchange(alpha, f"Does {WORD} tolerate metformin?", "Yes, take it with food.")
    with tenant_scope(alpha.tenant):
        question = Message.objects.exclude(pk=answer.pk).get()
    with chromium() as browser:
        clinician = login(browser, live_server.url, alpha.clinician.email, PASSWORD)
        clinician.goto(reverse("inference:chat", args=[answer.conversation_id]))
        assert WORD in clinician.inner_text(f"#msg-{question.pk} .text")
        with clinician.expect_navigation():
            clinician.click(f"#msg-{question.pk} button.report-phi-button")
        assert clinician.inner_text(f"#msg-{question.pk} .text") == \
            "Does <PERSON> tolerate metformin?"
        assert "PHI reported and redacted" in clinician.inner_text(".messages")

        # The scan finds nothing in the answer: the clinician selects the words themselves.
        assert clinician.evaluate(SELECT, [f"#msg-{answer.pk} .text", "with food"])
        with clinician.expect_navigation():
            clinician.click(f"#msg-{answer.pk} button.report-phi-button")
        assert clinician.inner_text(f"#msg-{answer.pk} .text") == "Yes, take it <REDACTED>."
    with tenant_scope(alpha.tenant):
        assert Message.objects.get(pk=answer.pk).text == "Yes, take it <REDACTED>."
