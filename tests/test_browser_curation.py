"""In a real browser: propose, approve by keyboard, freeze; the author cannot approve."""

import pytest

from curation.models import Example, TrainingSet
from tenants.scoping import tenant_scope

from .browser import chromium, login
from .conftest import PASSWORD
from .factories import exchange

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_propose_approve_by_keyboard_and_freeze(live_server, alpha):
    message = exchange(alpha, "Patient Henry Abbott asks: max paracetamol per day?",
                       "4 g per day for adults.")
    with chromium() as browser:
        clinician = login(browser, live_server.url, alpha.clinician.email, PASSWORD)
        clinician.goto(f"/curation/conversations/{message.conversation_id}/")
        assert "Henry Abbott" not in clinician.content()
        clinician.click("text=Propose for training")
        clinician.fill("textarea[name=edited_answer]", "4 g per day; 2 g in liver disease.")
        clinician.click("button.propose")
        clinician.wait_for_selector(".proposed")

        reviewer = login(browser, live_server.url, alpha.reviewer.email, PASSWORD)
        reviewer.goto("/curation/review/")
        assert reviewer.inner_text("#count-pending") == "1"
        reviewer.keyboard.press("Enter")
        reviewer.wait_for_url("**/curation/review/*-*/")
        assert "&lt;PERSON&gt;" in reviewer.inner_html("#question .ph")
        reviewer.keyboard.press("a")
        reviewer.wait_for_selector("text=Nothing left to review")
        with tenant_scope(alpha.tenant):
            assert Example.objects.get().status == "approved"

        admin = login(browser, live_server.url, alpha.admin.email, PASSWORD)
        admin.goto("/curation/training-sets/")
        admin.click("#freeze")
        admin.wait_for_selector("#integrity")
        assert admin.inner_text("#integrity") == "verified"
        assert "2 g in liver disease" in admin.content()
    with tenant_scope(alpha.tenant):
        assert TrainingSet.objects.get().example_count == 1


def test_the_author_cannot_approve_their_own_example_in_the_browser(live_server, alpha):
    # The reviewer also chats; here they propose an exchange of their own.
    message = exchange(alpha, "Target INR on warfarin for AF?", "2.0 to 3.0.")
    with tenant_scope(alpha.tenant):
        message.conversation.created_by = alpha.reviewer
        message.conversation.save()
    with chromium() as browser:
        reviewer = login(browser, live_server.url, alpha.reviewer.email, PASSWORD)
        reviewer.goto(f"/curation/conversations/{message.conversation_id}/")
        reviewer.click("text=Propose for training")
        reviewer.click("button.propose")
        reviewer.wait_for_selector(".proposed")
        with tenant_scope(alpha.tenant):
            example = Example.objects.get()
        reviewer.goto("/curation/review/")
        assert reviewer.locator("#start-review").count() == 1
        reviewer.goto(f"/curation/review/{example.pk}/")
        assert reviewer.is_visible("#own-note")
        with reviewer.expect_navigation():
            reviewer.keyboard.press("a")
        assert "another reviewer must decide" in reviewer.inner_text("#forbidden-reason")
    with tenant_scope(alpha.tenant):
        assert Example.objects.get().status == "pending"
