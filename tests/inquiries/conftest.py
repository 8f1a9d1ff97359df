from datetime import datetime, timezone

import pytest

from crisiscomm.extensions import db
from crisiscomm.inquiries import grounds
from crisiscomm.rules.service import seed_defaults


@pytest.fixture
def setup_data(app, departments, clock):
    seed_defaults()
    grounds.seed_refusal_grounds()
    db.session.commit()
    return departments


@pytest.fixture
def officer(factory, setup_data):
    return factory.user("comms_officer", email="officer@hanoi.vn", name="Vũ Thị Mai")


@pytest.fixture
def spokesperson(factory, setup_data):
    return factory.user("spokesperson", email="spokes@hanoi.vn", name="Đỗ Minh Tuấn")


@pytest.fixture
def hanoi(factory, setup_data):
    return factory.department("ha-noi")


# --- emails as offices receive them ---------------------------------------------------------------

from email.message import EmailMessage  # noqa: E402
from email.utils import format_datetime  # noqa: E402

JOURNALIST = "Trần Minh Đức"
JOURNALIST_EMAIL = "duc.tran@vnexpress.net"
SUBJECT = "Hỏi về tuyển sinh lớp 10"
QUESTION = "Kính gửi Sở GDĐT Hà Nội,\nXin cho biết khi nào công bố điểm chuẩn lớp 10 năm 2026?\nTrân trọng."
CLERK = ("Vũ Thị Mai", "vtmai@hanoi.edu.vn")

# The header block each mail client writes above a forwarded message (the original: 26/06/2026 07:45 Hà Nội).
FORWARD_BLOCKS = {
    "outlook": ("________________________________\n"
                f"From: {JOURNALIST} <{JOURNALIST_EMAIL}>\n"
                "Sent: Friday, June 26, 2026 7:45 AM\n"
                "To: Văn phòng Sở <vanphong@hanoi.edu.vn>\n"
                f"Subject: {SUBJECT}\n\n"),
    "outlook_vi": ("________________________________\n"
                   f"Từ: {JOURNALIST} <{JOURNALIST_EMAIL}>\n"
                   "Đã gửi: Thứ Sáu, 26 tháng 6, 2026 7:45 SA\n"
                   "Đến: Văn phòng Sở <vanphong@hanoi.edu.vn>\n"
                   f"Chủ đề: {SUBJECT}\n\n"),
    "gmail": ("---------- Forwarded message ---------\n"
              f"From: {JOURNALIST} <{JOURNALIST_EMAIL}>\n"
              "Date: Fri, Jun 26, 2026 at 7:45 AM\n"
              f"Subject: {SUBJECT}\n"
              "To: <vanphong@hanoi.edu.vn>\n\n\n"),
    "apple_mail": ("Begin forwarded message:\n\n"
                   f"From: {JOURNALIST} <{JOURNALIST_EMAIL}>\n"
                   f"Subject: {SUBJECT}\n"
                   "Date: 26 June 2026 at 07:45:00 GMT+7\n"
                   "To: vanphong@hanoi.edu.vn\n\n"),
    "thunderbird": ("-------- Forwarded Message --------\n"
                    f"Subject: \t{SUBJECT}\n"
                    "Date: \tFri, 26 Jun 2026 07:45:00 +0700\n"
                    f"From: \t{JOURNALIST} <{JOURNALIST_EMAIL}>\n"
                    "To: \tvanphong@hanoi.edu.vn\n\n"),
}
FORWARDED_AT = datetime(2026, 6, 26, 3, 30, tzinfo=timezone.utc)  # 10:30 Hà Nội, when the clerk forwarded it


def forwarded_eml(client_name, *, pdf=None, crlf=True, decomposed=False):
    """A clerk's forward of the journalist's email, as that mail client writes it (plain text + HTML)."""
    import unicodedata

    note = "Chuyển phòng Truyền thông xử lý giúp.\n\n"
    text = note + FORWARD_BLOCKS[client_name] + QUESTION
    if decomposed:  # macOS and some webmails send decomposed Vietnamese (NFD)
        text = unicodedata.normalize("NFD", text)
    if crlf:
        text = text.replace("\n", "\r\n")
    msg = EmailMessage()
    msg["From"] = f"{CLERK[0]} <{CLERK[1]}>"
    msg["To"] = "truyenthong@hanoi.edu.vn"
    msg["Subject"] = ("TR: " if client_name == "outlook_vi" else "Fwd: ") + SUBJECT
    msg["Date"] = format_datetime(FORWARDED_AT)
    msg["Message-ID"] = f"<fwd-{client_name}@hanoi.edu.vn>"
    msg.set_content(text)
    if client_name.startswith("outlook"):
        html_block = FORWARD_BLOCKS[client_name].replace("________________________________\n", "<hr>")
        msg.add_alternative("<html><body><p>Chuyển phòng Truyền thông xử lý giúp.</p><div id=divRplyFwdMsg>"
                            + html_block.replace("\n", "<br>") + "</div><p>"
                            + QUESTION.replace("\n", "<br>") + "</p></body></html>", subtype="html")
    if pdf is not None:
        msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="Công văn đề nghị.pdf")
    return msg.as_bytes()


def original_message(*, pdf=None):
    msg = EmailMessage()
    msg["From"] = f"{JOURNALIST} <{JOURNALIST_EMAIL}>"
    msg["To"] = "vanphong@hanoi.edu.vn"
    msg["Subject"] = SUBJECT
    msg["Date"] = "Fri, 26 Jun 2026 07:45:00 +0700"
    msg["Message-ID"] = "<original-1@vnexpress.net>"
    msg.set_content(QUESTION)
    if pdf is not None:
        msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="Công văn đề nghị.pdf")
    return msg


def thunderbird_attached_eml(*, pdf=None):
    """Thunderbird's (and Outlook's) "Forward as attachment": the original is a message/rfc822 part."""
    msg = EmailMessage()
    msg["From"] = f"{CLERK[0]} <{CLERK[1]}>"
    msg["To"] = "truyenthong@hanoi.edu.vn"
    msg["Subject"] = "Fwd: " + SUBJECT
    msg["Date"] = format_datetime(FORWARDED_AT)
    msg["Message-ID"] = "<fwd-attached@hanoi.edu.vn>"
    msg.set_content("Chuyển phòng Truyền thông xử lý giúp.")
    msg.add_attachment(original_message(pdf=pdf))
    return msg.as_bytes()


PDF_BYTES = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
             b"trailer<</Root 1 0 R>>\n%%EOF\n")
PNG_BYTES = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
             b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def attachment_dir(app, tmp_path):
    app.config["ATTACHMENT_DIR"] = str(tmp_path / "attachments")
    return tmp_path / "attachments"


# --- a real IMAP server: Debian's dovecot, unprivileged, on a free loopback port -------------------

DOVECOT = "/usr/sbin/dovecot"
IMAP_USER, IMAP_PASSWORD = "baochi", "mat-khau-hop-thu"


def _self_signed(root):
    """A throw-away certificate for localhost / 127.0.0.1 (the test trusts it through MAILBOX_CA_FILE)."""
    import ipaddress
    from datetime import datetime, timedelta, timezone

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    start = datetime.now(timezone.utc) - timedelta(days=1)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start)
            .not_valid_after(start + timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    (root / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (root / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption()))
    return root / "cert.pem"


class Dovecot:
    def __init__(self, root, port, tls_port):
        self.root, self.port, self.tls_port, self.process = root, port, tls_port, None
        self.ca_file = _self_signed(root)

    def start(self):
        import getpass
        import grp
        import os
        import pwd
        import socket
        import subprocess
        import time

        run_as = None
        if os.getuid() == 0:  # dovecot refuses to run its login process as root: run it all as nobody
            run_as = pwd.getpwnam("nobody")
            user, group, uid, gid = run_as.pw_name, grp.getgrgid(run_as.pw_gid).gr_name, run_as.pw_uid, \
                run_as.pw_gid
        else:
            user, group, uid, gid = getpass.getuser(), grp.getgrgid(os.getgid()).gr_name, os.getuid(), os.getgid()
        root = self.root
        for sub in ("run", "state", "mail", "home"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        (root / "passwd").write_text(f"{IMAP_USER}:{{PLAIN}}{IMAP_PASSWORD}\n")
        (root / "dovecot.conf").write_text(f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {user}
default_internal_user = {user}
default_internal_group = {group}
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port}
  }}
}}
service anvil {{
  chroot =
}}
""")
        if run_as is not None:
            for path in [root, *root.rglob("*")]:
                os.chown(path, uid, gid)

        def demote():
            if run_as is not None:
                os.setgid(gid)
                os.setuid(uid)

        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(root / "dovecot.conf")], preexec_fn=demote,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:  # wait for the greeting, not for a fixed time
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return self
            except OSError:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
        raise RuntimeError(f"dovecot did not start: {log[-2000:]}")

    def stop(self):
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()
            self.process.communicate(timeout=10)  # reaps it and closes the stderr pipe
        self.process = None

    def append(self, raw, folder="INBOX"):
        import imaplib

        conn = imaplib.IMAP4("127.0.0.1", self.port)
        conn.login(IMAP_USER, IMAP_PASSWORD)
        typ, _ = conn.append(folder, None, None, raw)
        conn.logout()
        assert typ == "OK"


@pytest.fixture
def dovecot(tmp_path):
    import os
    import tempfile
    from pathlib import Path

    from tests.smtp import _free_port

    if not os.path.exists(DOVECOT):
        message = "Debian's dovecot-imapd is not installed (/usr/sbin/dovecot): the IMAP tests need it"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message + " (CI installs it in .ci/run)")
        pytest.skip(message)
    root = Path(tempfile.mkdtemp(prefix="dovecot-"))  # outside tmp_path: nobody must be able to reach it
    os.chmod(root, 0o755)
    server = Dovecot(root, _free_port(), _free_port()).start()
    yield server
    server.stop()
    import shutil

    shutil.rmtree(root, ignore_errors=True)
