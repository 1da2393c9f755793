"""Mail: by SMTP where configured; without SMTP, text to the log only in development."""

import logging
import socket
import socketserver
import threading
from collections.abc import Iterator
from email import message_from_bytes

import pytest
from flask import Flask

from voting.app import create_app
from voting.web.mail import Mail, send_mail

MAIL = Mail(to="erika@example.org", subject="Betreff", body="Ihr Link: https://example.org/x")


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Speaks just enough SMTP to receive one message."""

    def handle(self) -> None:
        self.wfile.write(b"220 test ESMTP\r\n")
        data: list[bytes] = []
        in_data = False
        for line in self.rfile:
            if in_data:
                if line == b".\r\n":
                    in_data = False
                    self.server.received.append(b"".join(data))  # type: ignore[attr-defined]
                    self.wfile.write(b"250 queued\r\n")
                else:
                    data.append(line[1:] if line.startswith(b"..") else line)
                continue
            command = line.strip().upper()
            if command.startswith(b"EHLO") or command.startswith(b"HELO"):
                self.wfile.write(b"250 test\r\n")
            elif command == b"DATA":
                in_data = True
                self.wfile.write(b"354 go ahead\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_server() -> Iterator[socketserver.TCPServer]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def mail_app(tmp_path, **config) -> Flask:  # type: ignore[no-untyped-def]
    return create_app(
        {
            "SECRET_KEY": "s",
            "PSEUDONYM_KEY": "p",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'mail.db'}",
            **config,
        }
    )


def test_smtp_delivers_the_mail(tmp_path, smtp_server):
    app = mail_app(
        tmp_path,
        MAIL_SMTP_HOST="127.0.0.1",
        MAIL_SMTP_PORT=smtp_server.server_address[1],
        MAIL_SMTP_STARTTLS=False,
        MAIL_SENDER="rathaus@example.org",
    )
    with app.app_context():
        assert send_mail(MAIL)
    (raw,) = smtp_server.received
    message = message_from_bytes(raw)
    assert message["To"] == "erika@example.org" and message["From"] == "rathaus@example.org"
    assert "https://example.org/x" in message.get_payload()


def test_an_unreachable_server_is_logged_without_the_address(tmp_path, caplog):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = mail_app(tmp_path, MAIL_SMTP_HOST="127.0.0.1", MAIL_SMTP_PORT=port)
    with app.app_context():
        assert not send_mail(MAIL)
    assert "mail not sent" in caplog.text
    assert "erika@example.org" not in caplog.text and "example.org/x" not in caplog.text


def test_without_smtp_production_logs_no_personal_data(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    with mail_app(tmp_path).app_context():
        assert not send_mail(MAIL)
    assert "MAIL_SMTP_HOST is not configured" in caplog.text
    assert "erika@example.org" not in caplog.text and "example.org/x" not in caplog.text


def test_development_writes_the_mail_to_the_log(tmp_path, caplog):
    with mail_app(tmp_path, MAIL_TO_LOG=True).app_context():
        assert send_mail(MAIL)
    assert "erika@example.org" in caplog.text and "https://example.org/x" in caplog.text
