"""Item 5: Origin checks on both WebSocket routes, X-Request-ID, CSP on every page, TLS settings, no CDN."""

import os
import re
import subprocess
import sys

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings

from mangaassist.asgi import application


async def _connects(path, origin, user=None):
    headers = [(b"origin", origin.encode())] if origin else []
    comm = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await comm.connect()
    await comm.disconnect()
    return connected


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/ws/chat/", "/ws/reviews/"])
async def test_it_refuses_websockets_opened_from_another_site(path):
    assert not await _connects(path, "https://evil.example")
    assert not await _connects(path, "http://127.0.0.1.evil.example")


@pytest.mark.django_db(transaction=True)
async def test_it_accepts_our_own_origin_and_clients_without_one(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://shop.example"]
    assert await _connects("/ws/chat/", "http://127.0.0.1:8000")
    assert await _connects("/ws/chat/", "https://shop.example")
    assert await _connects("/ws/chat/", None)  # not a browser: no ambient credentials to hijack


@pytest.mark.django_db
def test_it_keeps_a_sane_request_id_and_replaces_anything_else(client):
    assert client.get("/api/v1/docs/", HTTP_X_REQUEST_ID="abc-123.DEF")["X-Request-ID"] == "abc-123.DEF"
    for hostile in ("a b", "x" * 65, "evil\u2028line", "<script>", ""):
        echoed = client.get("/api/v1/docs/", HTTP_X_REQUEST_ID=hostile)["X-Request-ID"]
        assert echoed != hostile and re.fullmatch(r"[0-9a-f]{16}", echoed)


def _csp(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.django_db
def test_every_page_has_a_csp_without_inline_script(admin_client, client):
    pages = [(client, "/"), (client, "/admin/login/"), (client, "/api/v1/docs/"), (admin_client, "/admin/"),
             (admin_client, "/admin/reviews/reviewtask/console/"),
             (admin_client, "/admin/reviews/reviewtask/dashboard/"), (client, "/api/v1/catalog/search?q=x")]
    for who, path in pages:
        response = who.get(path)
        assert response.status_code == 200, path
        csp = _csp(response)
        assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"], path
        assert csp["frame-ancestors"] == "frame-ancestors 'none'" and csp["object-src"] == "object-src 'none'"
        if response["Content-Type"].startswith("text/html"):
            html = response.content.decode()
            # every <script> is a file or inert JSON data; every <style> carries this response's nonce
            for tag in re.findall(r"<script\b[^>]*>", html):
                assert "src=" in tag or 'type="application/json"' in tag, (path, tag)
            for tag in re.findall(r"<style\b[^>]*>", html):
                nonce = re.search(r'nonce="([^"]+)"', tag)
                assert nonce and f"'nonce-{nonce.group(1)}'" in csp["style-src"], (path, tag)


@pytest.mark.django_db
def test_swagger_ui_comes_from_the_package_not_a_cdn(client):
    html = client.get("/api/v1/docs/").content.decode()
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-dist" in a and a.startswith("/static/") for a in assets)
    for asset in assets:
        assert asset.startswith("/"), asset
        assert client.get(asset).status_code == 200, asset


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x7!Qp2-long-production-secret-kv9Z#m4tR8wL0eYb6nH3uJ1cF5gA_dS9oP2iE7rT",
    "ALLOWED_HOSTS": "shop.example",
    "CSRF_TRUSTED_ORIGINS": "https://shop.example",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "SECURE_COOKIES": "1",
    "SECURE_PROXY_SSL_HEADER": "1",
}


def test_check_deploy_is_clean_with_the_documented_production_settings():
    env = {**os.environ, **PRODUCTION, "VAR_DIR": str(django_settings.VAR_DIR)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=django_settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_readme_documents_those_production_settings():
    readme = (django_settings.BASE_DIR / "README.md").read_text()
    for name in PRODUCTION:
        assert f"{name}=" in readme, name


def test_tls_settings_come_from_the_environment():
    env = {**os.environ, **PRODUCTION, "VAR_DIR": str(django_settings.VAR_DIR)}
    code = ("import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','mangaassist.settings'); django.setup();"
            "from django.conf import settings as s;"
            "print(s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
            " s.ALLOWED_HOSTS)")
    out = subprocess.run([sys.executable, "-c", code], cwd=django_settings.BASE_DIR, env=env, capture_output=True,
                         text=True, timeout=60).stdout.strip().splitlines()[-1]
    assert out == "31536000 True True True ['shop.example']"


def test_allowed_hosts_is_not_a_wildcard_by_default():
    assert "*" not in django_settings.ALLOWED_HOSTS
