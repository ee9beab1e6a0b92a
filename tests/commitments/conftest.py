"""The web board's fixtures (signed-in clients, cheap password hashing) for the commitments' tests."""

from tests.web.conftest import fast_password_hashing, signed_in  # noqa: F401
