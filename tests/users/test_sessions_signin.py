"""Sessions that really end, sign-in that tells nothing and slows only the guesser (issue 15)."""
import threading
from datetime import timedelta

from sqlalchemy import select

from crisiscomm.extensions import db
from crisiscomm.users.models import LoginThrottle

from ..factories import PASSWORD, csrf_token
from .conftest import sign_in


def _copy_of(client, app):
    """A second browser holding a copy of ``client``'s cookies (a stolen or shared session cookie)."""
    thief = app.test_client()
    for cookie in client._cookies.values():
        thief.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    return thief


# --- sessions ---------------------------------------------------------------------------------

def test_logout_ends_the_session_even_for_a_copied_cookie(app, factory):
    user = factory.user("director")
    browser = factory.login(user)
    thief = _copy_of(browser, app)
    assert thief.get("/account").status_code == 200  # the copy works while the session lives
    browser.post("/logout", data={"csrf_token": csrf_token(browser.get("/"))})
    assert thief.get("/account").status_code == 302
    assert thief.get("/api/v1/me").status_code == 401
    assert factory.login(user).get("/account").status_code == 200  # signing in again works


def test_logout_ends_every_session_of_the_user(app, factory):
    user = factory.user("director")
    phone, laptop = factory.login(user), factory.login(user)
    laptop.post("/logout", data={"csrf_token": csrf_token(laptop.get("/"))})
    assert phone.get("/api/v1/me").status_code == 401


def test_password_change_ends_copied_sessions(app, factory):
    user = factory.user("spokesperson")
    browser = factory.login(user)
    thief = _copy_of(browser, app)
    response = browser.post("/account", data={"current_password": PASSWORD, "new_password": "a-new-long-password",
                                              "csrf_token": csrf_token(browser.get("/account"))})
    assert response.status_code == 302
    assert browser.get("/account").status_code == 200
    assert thief.get("/account").status_code == 302  # the copy carried the old session version


# --- timing -----------------------------------------------------------------------------------

def test_unknown_email_costs_the_same_hash_as_a_wrong_password(app, factory, scrypt_calls):
    user = factory.user("spokesperson")
    client = app.test_client()
    sign_in(client, "warm-up@example.vn", "wrong-password-here")  # the stand-in hash is made once per process
    del scrypt_calls[:]
    assert sign_in(client, user.email, "wrong-password-here").status_code == 401
    wrong_password = list(scrypt_calls)
    del scrypt_calls[:]
    response = sign_in(client, "nobody-here@example.vn", "wrong-password-here")
    assert response.status_code == 401
    unknown_email = list(scrypt_calls)
    # One scrypt of the same cost either way (before: none for an unknown email, ~30 ms against ~290 ms).
    assert len(wrong_password) == 1 and unknown_email == wrong_password
    assert "Sai email hoặc mật khẩu." in response.get_data(as_text=True)


def test_deactivated_user_costs_a_hash_and_cannot_sign_in(app, factory, scrypt_calls):
    user = factory.user("spokesperson")
    user.active = False
    db.session.commit()
    del scrypt_calls[:]
    assert sign_in(app.test_client(), user.email, PASSWORD).status_code == 401
    assert len(scrypt_calls) == 1


def test_over_long_password_is_refused_without_hashing(app, factory, scrypt_calls):
    user = factory.user("spokesperson")
    del scrypt_calls[:]
    response = sign_in(app.test_client(), user.email, "x" * 100_000)
    assert response.status_code == 422
    assert scrypt_calls == []


# --- throttling -------------------------------------------------------------------------------

def test_waits_double_after_the_free_failures_and_stay_short(app, factory, clock):
    user = factory.user("director")
    client = app.test_client()
    free, longest = app.config["LOGIN_FREE_FAILURES"], app.config["LOGIN_MAX_DELAY_SECONDS"]
    for _ in range(free):
        assert sign_in(client, user.email, "guess-guess-guess").status_code == 401
    waits = []
    for _ in range(8):
        response = sign_in(client, user.email, "guess-guess-guess")
        assert response.status_code == 429
        waits.append(int(response.headers["Retry-After"]))
        clock.advance(seconds=waits[-1])
        assert sign_in(client, user.email, "guess-guess-guess").status_code == 401
    assert waits == [2, 4, 8, 16, 32, longest, longest, longest]
    assert "Thử lại sau" in sign_in(client, user.email, PASSWORD).get_data(as_text=True)
    clock.advance(seconds=longest)
    assert sign_in(client, user.email, PASSWORD).status_code == 302  # never locked out for long


def test_a_known_device_signs_in_at_once_while_an_attacker_guesses(app, factory, clock):
    director = factory.user("director")
    phone = app.test_client()
    assert sign_in(phone, director.email, PASSWORD).status_code == 302  # the phone becomes a known device
    phone.post("/logout", data={"csrf_token": csrf_token(phone.get("/"))})

    attacker = app.test_client()
    for _ in range(40):  # from the same office address, and from many others
        sign_in(attacker, director.email, "guess-guess-guess")
    for n in range(40):
        sign_in(attacker, director.email, "guess-guess-guess", remote_addr=f"203.0.113.{n}")
    assert sign_in(attacker, director.email, PASSWORD).status_code == 429  # the attacker is slowed

    response = sign_in(phone, director.email, PASSWORD)
    assert response.status_code == 302  # the director's phone is not
    assert phone.get("/account").status_code == 200


def test_a_forged_device_cookie_is_no_known_device(app, factory, clock):
    director = factory.user("director")
    attacker = app.test_client()
    attacker.set_cookie("cc_device", "eyJlIjoiYSIsImQiOiJiIn0.forged.signature", path="/login")
    for _ in range(app.config["LOGIN_FREE_FAILURES"]):
        assert sign_in(attacker, director.email, "guess-guess-guess").status_code == 401
    assert sign_in(attacker, director.email, "guess-guess-guess").status_code == 429


def test_failures_on_one_account_do_not_slow_colleagues_behind_the_same_nat(app, factory, clock):
    director = factory.user("director")
    colleagues = [factory.user("comms_officer") for _ in range(3)]
    attacker = app.test_client()
    for colleague in colleagues:
        for _ in range(10):
            sign_in(attacker, colleague.email, "guess-guess-guess")
    for _ in range(20):
        sign_in(attacker, "nobody@example.vn", "guess-guess-guess")
    assert sign_in(app.test_client(), director.email, PASSWORD).status_code == 302


def test_the_right_password_starts_the_count_again(app, factory, clock):
    user = factory.user("director")
    client = app.test_client()
    for _ in range(app.config["LOGIN_FREE_FAILURES"] - 1):
        sign_in(client, user.email, "guess-guess-guess")
    assert sign_in(client, user.email, PASSWORD).status_code == 302
    other = app.test_client()
    for _ in range(app.config["LOGIN_FREE_FAILURES"]):
        assert sign_in(other, user.email, "guess-guess-guess").status_code == 401


def test_old_counters_are_forgotten_and_cleaned_up(app, factory, clock):
    from crisiscomm.users.throttle import cleanup

    user = factory.user("director")
    client = app.test_client()
    for _ in range(app.config["LOGIN_FREE_FAILURES"]):
        sign_in(client, user.email, "guess-guess-guess")
    assert db.session.scalars(select(LoginThrottle)).all()
    clock.advance(minutes=app.config["LOGIN_FORGET_MINUTES"] + 1)
    cleanup()
    assert db.session.scalars(select(LoginThrottle)).all() == []


def test_forty_parallel_guesses_check_no_more_passwords_than_the_limit(app, factory, clock, scrypt_calls):
    email = factory.user("director").email
    app.config["WTF_CSRF_ENABLED"] = False
    free = app.config["LOGIN_FREE_FAILURES"]
    statuses, start = [], threading.Barrier(40)

    def guess():
        with app.app_context():
            client = app.test_client()
            start.wait()
            response = client.post("/login", data={"email": email, "password": "guess-guess-guess"})
            statuses.append(response.status_code)
            db.session.remove()

    del scrypt_calls[:]
    threads = [threading.Thread(target=guess) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(statuses) == 40
    assert statuses.count(401) == free and statuses.count(429) == 40 - free
    assert len(scrypt_calls) == free  # passwords actually checked


# --- passwords --------------------------------------------------------------------------------

def _change(client, new):
    return client.post("/account", data={"current_password": PASSWORD, "new_password": new,
                                         "csrf_token": csrf_token(client.get("/account"))})


def test_new_password_may_not_be_common_personal_or_over_long(app, factory):
    user = factory.user("director", email="hung.nguyen@sogd.example.vn", name="Nguyễn Văn Hùng")
    client = factory.login(user)
    cases = {
        "iloveyou2026!": "quá phổ biến",
        "matkhau12345": "quá phổ biến",
        "Hung.Nguyen-2026": "không được chứa email hoặc tên",
        "nguyenvanhung!!": "không được chứa email hoặc tên",
        "x" * 129: "Tối đa 128 ký tự",
        "short": "Ít nhất 10 ký tự",
    }
    for password, message in cases.items():
        response = _change(client, password)
        assert response.status_code == 422, password
        assert message in response.get_data(as_text=True), password
    assert factory.login(user).get("/").status_code == 200  # the old password still works
    assert _change(client, "bến-thuyền-sông-hồng").status_code == 302


def test_cli_refuses_a_common_password(app, runner, factory):
    factory.department("ha-noi")
    result = runner.invoke(args=["users", "create", "a@example.vn", "--name", "An", "--role", "viewer",
                                 "--department", "ha-noi", "--password", "1234567890"])
    assert result.exit_code != 0 and "password" in result.output


# --- redirects --------------------------------------------------------------------------------

def test_next_and_referer_go_to_same_site_paths_only(app, factory):
    user = factory.user("spokesperson")
    hostile = ["https://evil.example/x", "//evil.example/x", "/\\evil.example/x", "\\\\evil.example",
               "javascript:alert(1)", "http://localhost.evil.example/", "/%0d%0aSet-Cookie:x=1"]
    for target in hostile:
        response = sign_in(app.test_client(), user.email, PASSWORD, next_url=target)
        location = response.headers["Location"]
        assert location.startswith("/") and not location.startswith("//") and "evil" not in location, target
    response = sign_in(app.test_client(), user.email, PASSWORD, next_url="/incidents/?status=open")
    assert response.headers["Location"] == "/incidents/?status=open"

    from crisiscomm.notifications import service as outbox
    from crisiscomm.notifications.models import IN_APP

    client = factory.login(user)
    row = outbox.enqueue(kind="test", channel=IN_APP, subject="Tin", recipient=user, payload={"url": "//evil.example"})
    db.session.commit()
    response = client.post(f"/notifications/{row.id}/read", headers={"Referer": "https://evil.example/phish"},
                           data={"csrf_token": csrf_token(client.get("/"))})
    assert response.headers["Location"] == "/notifications/"
    row = outbox.enqueue(kind="test", channel=IN_APP, subject="Tin", recipient=user, payload={"url": "/incidents/"})
    db.session.commit()
    response = client.post(f"/notifications/{row.id}/read", data={"csrf_token": csrf_token(client.get("/"))})
    assert response.headers["Location"] == "/incidents/"  # its own link still leads on
