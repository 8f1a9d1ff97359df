"""The development mail catcher of `make run`: the demo's escalation emails, sent over SMTP to the real aiosmtpd
sink, are listed at /dev/mail; production (and development without the catcher) has no such page."""
from crisiscomm.devmail import MailStore, start_catcher

from ..conftest import empty_database, free_port, make_app

LEAK = "Ảnh chụp đề thi môn Ngữ văn xuất hiện trên mạng xã hội trong giờ thi"


def test_demo_escalation_email_is_shown_at_dev_mail(backend, tmp_path):
    port = free_port()
    controller = start_catcher(str(tmp_path), "127.0.0.1", port)
    app = make_app(backend, ENV_NAME="development", DEV_MAIL_DIR=str(tmp_path), MAIL_SERVER="127.0.0.1",
                   MAIL_PORT=port)
    try:
        with app.app_context():
            result = app.test_cli_runner().invoke(args=["setup", "--demo"])
        assert result.exit_code == 0, result.output

        client = app.test_client()
        page = client.get("/dev/mail")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "Thư đã gửi (môi trường phát triển)" in html
        assert LEAK in html and "giamdoc@hanoi.demo" in html and "bcd@hanoi.demo" in html

        # The director's email opens with its one-click acknowledgement link.
        name = next(n for n, headers in MailStore(str(tmp_path)).headers()
                    if "giamdoc@hanoi.demo" in headers["X-Devmail-To"] and LEAK in headers["Subject"])
        message = client.get(f"/dev/mail/{name}")
        assert message.status_code == 200
        body = message.get_data(as_text=True)
        assert "Sự cố mới" in body or LEAK in body
        assert '<a href="http://' in body and "/ack/" in body
        assert client.get("/dev/mail/../../etc/passwd").status_code == 404
        assert client.get("/dev/mail/20260101T000000000000-deadbeef.eml").status_code == 404
    finally:
        controller.stop()
        empty_database(app)


def test_dev_mail_is_a_404_in_production_and_without_the_catcher(backend, tmp_path):
    store = MailStore(str(tmp_path))
    name = store.save(b"Subject: secret\r\n\r\nbody\r\n", "a@example.org", ["b@example.org"])
    production = make_app(backend, ENV_NAME="production", DEV_MAIL_DIR=str(tmp_path))
    no_catcher = make_app(backend, ENV_NAME="development", DEV_MAIL_DIR=None)
    for app in (production, no_catcher):
        client = app.test_client()
        assert client.get("/dev/mail").status_code == 404
        assert client.get(f"/dev/mail/{name}").status_code == 404
    assert "devmail" not in production.cli.commands


def test_the_catcher_keeps_only_the_newest_messages(tmp_path):
    store = MailStore(str(tmp_path), keep=3)
    names = [store.save(f"Subject: {i}\r\n\r\nx\r\n".encode(), "a@x.org", ["b@x.org"]) for i in range(5)]
    assert store.names() == sorted(names[2:], reverse=True)
    assert [str(h["Subject"]) for _n, h in store.headers()] == ["4", "3", "2"]
