"""Fixtures of the schedule tests: the web fixtures (signed-in clients, fast hashing)."""

from tests.web.conftest import fast_password_hashing, htmx_headers, signed_in  # noqa: F401
