import hashlib

import pytest

from ..factories import csrf_token


def sign_in(client, email, password, next_url=None, remote_addr="127.0.0.1"):
    """POST the sign-in form from ``remote_addr`` as a browser would (the form's CSRF token first)."""
    token = csrf_token(client.get("/login", environ_base={"REMOTE_ADDR": remote_addr}))
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": email, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": remote_addr})


@pytest.fixture
def scrypt_calls(monkeypatch):
    """Every password hash computed (werkzeug's scrypt goes through hashlib.scrypt): the real function, counted,
    with its cost parameters, so a test can see how much work a sign-in did."""
    calls = []
    real = hashlib.scrypt

    def counted(password, **kw):
        calls.append((kw.get("n"), kw.get("r"), kw.get("p")))
        return real(password, **kw)

    monkeypatch.setattr(hashlib, "scrypt", counted)
    return calls
