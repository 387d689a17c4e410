"""Item 5: the Content-Security-Policy breaks no page. Chromium loads each page of the product and reports every
`securitypolicyviolation`; the chat widget still opens its WebSocket, Swagger UI still renders."""

import pytest

from chat.models import ChatSession
from tests.e2e.browser import chromium
from tests.e2e.browser import in_db_thread
from tests.support.processes import uvicorn_server, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile + ':' + e.lineNumber));
"""


def test_no_page_violates_its_content_security_policy(django_user_model):
    in_db_thread(lambda: django_user_model.objects.create_superuser("boss", "boss@example.com", "right-password-1"))
    violations = {}
    with uvicorn_server() as base, chromium() as browser:
        page = browser.new_page()
        page.add_init_script(RECORD_VIOLATIONS)
        console = []
        page.on("console", lambda msg: console.append(msg.text) if "Content Security Policy" in msg.text else None)

        def visit(path, ready=None):
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            if ready:
                page.wait_for_selector(ready, timeout=15000)
            violations[path] = page.evaluate("window.__csp")

        visit("/")
        wait_until(lambda: in_db_thread(ChatSession.objects.exists), timeout=20, message="the widget's hello")
        visit("/api/v1/docs/", ready=".opblock")  # Swagger UI drew the operations
        visit("/admin/login/")
        page.fill("#id_username", "boss")
        page.fill("#id_password", "right-password-1")
        page.click("input[type=submit]")
        page.wait_for_load_state("networkidle")
        from prompts.models import PromptVersion

        live = in_db_thread(lambda: PromptVersion.objects.get(status="live").pk)
        for path in ("/admin/", "/admin/reviews/reviewtask/console/", "/admin/reviews/reviewtask/dashboard/",
                     "/admin/chat/chatsession/", f"/admin/prompts/promptversion/{live}/review/"):
            visit(path)
    assert not any(violations.values()) and not console, (violations, console)
