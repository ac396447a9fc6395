"""Each role sees the navigation its permissions allow, and nothing else."""

import pytest

from tests.conftest import ROLE_USERS

STAFF = {"/", "/notifications/", "/account", "/board"}
CIVIL = STAFF | {"/needs/", "/children/", "/visits/overdue", "/visits/policy", "/regions/", "/accounts/", "/audit/", "/helpers/", "/orgs/"}
EXPECTED = {
    "admin": {"/", "/regions/", "/accounts/", "/audit/", "/notifications/", "/account", "/board"},
    "city": CIVIL,
    "county": CIVIL,
    "county2": CIVIL,
    "town": STAFF | {"/needs/", "/children/", "/visits/overdue", "/regions/", "/accounts/", "/hours/pending"},
    "village": STAFF | {"/needs/", "/children/", "/visits/overdue", "/regions/", "/hours/pending"},
    "village2": STAFF | {"/needs/", "/children/", "/visits/overdue", "/regions/", "/hours/pending"},
    "org": STAFF | {"/me/profile", "/me/hours", "/me/organization", "/claims/"},
    "volunteer": STAFF | {"/me/profile", "/me/certificates", "/me/hours", "/me/organization", "/claims/"},
    "donor": STAFF | {"/me/profile"},
}
ALL = set().union(*EXPECTED.values())


def _nav_links(page: str) -> set[str]:
    nav = page.split('<nav aria-label="主导航">', 1)[1].split("</nav>", 1)[0]
    return {href for href in ALL if f'href="{href}"' in nav}


@pytest.mark.parametrize("role", sorted(ROLE_USERS))
def test_navigation_by_role(as_user, client, role):
    as_user(role)
    page = client.get("/").get_data(as_text=True)
    assert _nav_links(page) == EXPECTED[role]
    for href in EXPECTED[role]:
        assert client.get(href).status_code == 200, href
    for href in ALL - EXPECTED[role]:
        assert client.get(href).status_code == 403, href


def test_anonymous_sees_no_navigation_and_a_sign_in_link(client, users):
    page = client.get("/").get_data(as_text=True)
    assert "主导航" not in page and 'href="/login"' in page


def test_home_page_fits_a_phone(client, users):
    page = client.get("/login").get_data(as_text=True)
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page
