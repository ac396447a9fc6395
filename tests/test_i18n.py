"""Chinese by default, English on request, and a catalog that translates every marked string."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from tests.conftest import post

ROOT = Path(__file__).resolve().parent.parent


def test_default_language_is_simplified_chinese_even_for_english_browsers(client, users):
    page = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert 'lang="zh-CN"' in page and "登录" in page


def test_anonymous_visitor_switches_to_english(client, users):
    response = post(client, "/language", {"lang": "en", "next": "/login"})
    assert response.headers["Location"].endswith("/login")
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in page and "Sign in" in page and "登录" not in page


def test_signed_in_users_language_is_remembered_across_sessions(app, as_user, client):
    as_user("county")
    post(client, "/language", {"lang": "en"})
    assert "My account" in client.get("/account").get_data(as_text=True)
    from tests.conftest import login

    other = app.test_client()
    login(other, "county")
    assert "My account" in other.get("/account").get_data(as_text=True)


def test_error_messages_follow_the_language(client, users):
    post(client, "/language", {"lang": "en"})
    assert "This page does not exist" in client.get("/missing-page").get_data(as_text=True)


def test_unknown_language_is_ignored(client, users):
    post(client, "/language", {"lang": "xx"})
    assert 'lang="zh-CN"' in client.get("/login").get_data(as_text=True)


def test_every_marked_string_has_a_chinese_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg", "-k", "_l",
         "-o", str(pot), "--no-location", "portal", "templates"],
        cwd=ROOT, check=True,
    )
    wanted = {m.id for m in read_po(pot.open("rb")) if m.id}
    catalog = read_po((ROOT / "translations/zh/LC_MESSAGES/messages.po").open("rb"))
    translated = {m.id for m in catalog if m.id and m.string and "fuzzy" not in m.flags}
    assert sorted(wanted - translated) == []


def test_translations_keep_the_placeholders_and_no_stray_percent_signs():
    """A translation must carry the same %(name)s placeholders, and a bare % would break the
    formatting every template applies (a '%' with no placeholder after it)."""
    import re

    placeholder = re.compile(r"%\((\w+)\)[sd]|%%")
    catalog = read_po((ROOT / "translations/zh/LC_MESSAGES/messages.po").open("rb"))
    problems = []
    for message in catalog:
        if not message.id or not message.string or isinstance(message.id, tuple):
            continue
        wanted = sorted(placeholder.findall(message.id))
        found = sorted(placeholder.findall(message.string))
        stray = placeholder.sub("", message.string).count("%")
        if wanted != found or stray:
            problems.append(message.id)
    assert problems == []
