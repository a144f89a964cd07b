"""A lead as a readable email (plain text and HTML), sent by SMTP or written as an .eml file.

The SMTP server comes from MAIL_SERVER, MAIL_PORT, MAIL_USERNAME, MAIL_PASSWORD, MAIL_USE_TLS
(STARTTLS) and MAIL_FROM. Without MAIL_SERVER, development writes each email under
instance/mail/ instead, so a delivery can be seen end to end without a mail server.
"""

import contextlib
import email.policy
import smtplib
import socket
import ssl
import threading
import time
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from flask import current_app

from portal.services.leads import EDUCATION_LEVELS, START_TIMEFRAMES
from portal.services.transport import Answer


def lead_email(
    data: dict, to: list[str], sender: str, message_id: str, site_name: str
) -> EmailMessage:
    """The email for one lead: plain text and HTML parts, every field the webhook carries.

    Message-ID is derived from the delivery's webhook-id, so a retried email is the same
    message to a mail client. The visitor's address is the Reply-To (they asked to be
    contacted); no other visitor text goes into a header.
    """
    context = {
        "lead": data,
        "site_name": site_name,
        "education": EDUCATION_LEVELS.get(data["education_level"], data["education_level"]),
        "start": START_TIMEFRAMES.get(data["start_timeframe"], data["start_timeframe"]),
    }
    message = EmailMessage()
    message["Subject"] = f"New request for information: lead {data['lead_id']}"
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Reply-To"] = data["email"]
    message["Date"] = format_datetime(datetime.fromisoformat(data["created_at"]))
    domain = sender.rsplit("@", 1)[-1] or "localhost"
    message["Message-ID"] = f"<{message_id}@{domain}>"
    message["X-Lead-Id"] = str(data["lead_id"])
    # Quoted-printable keeps every line short: SMTP refuses lines over 998 bytes.
    message.set_content(_render("delivery/lead_email.txt", context), cte="quoted-printable")
    html = _render("delivery/lead_email.html", context)
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    return message


def opt_out_email(
    data: dict, to: list[str], sender: str, message_id: str, site_name: str
) -> EmailMessage:
    """The email telling a school that the person behind one of its leads opted out: the
    lead's id, when and why; no contact details (plain text)."""
    message = EmailMessage()
    message["Subject"] = f"Opted out: lead {data['lead_id']}"
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Date"] = format_datetime(datetime.fromisoformat(data["opted_out_at"]))
    domain = sender.rsplit("@", 1)[-1] or "localhost"
    message["Message-ID"] = f"<{message_id}@{domain}>"
    message["X-Lead-Id"] = str(data["lead_id"])
    context = {"notice": data, "site_name": site_name}
    message.set_content(_render("delivery/opt_out_email.txt", context), cte="quoted-printable")
    return message


def _render(name: str, context: dict) -> str:
    """A template rendered without a request (the worker has none); .html is autoescaped."""
    return current_app.jinja_env.get_template(name).render(**context)


def test_email(to: list[str], sender: str, site_name: str, school_name: str) -> EmailMessage:
    """A short test email, carrying no lead."""
    message = EmailMessage()
    message["Subject"] = f"Test email from {site_name}"
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1] or "localhost")
    text = (
        f"This is a test from {site_name}: requests for information for {school_name} "
        "will arrive at this address like this one. It carries no lead."
    )
    message.set_content(text)
    return message


def send(message: EmailMessage, config: dict, timeout: float) -> Answer:
    """Send by SMTP, or write an .eml file when no server is set; never raises."""
    started = time.monotonic()
    if not config["MAIL_SERVER"]:
        return _write_file(message, config.get("MAIL_FILE_FOLDER"), started)
    smtp = None
    timer = None
    try:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
        timer = threading.Timer(max(0.0, timeout - (time.monotonic() - started)), _cut, (smtp,))
        timer.daemon = True
        timer.start()
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        code, reply = _transmit(smtp, message)
        smtp.quit()
        return _answer(started, code, reply.decode("utf-8", "replace"), None)
    except smtplib.SMTPRecipientsRefused as error:
        codes = sorted({code for code, _ in error.recipients.values()})
        return _answer(
            started, codes[0] if codes else None, "", "the server refused the recipients"
        )
    except smtplib.SMTPResponseException as error:
        reply = (
            error.smtp_error.decode("utf-8", "replace")
            if isinstance(error.smtp_error, bytes)
            else str(error.smtp_error)
        )
        return _answer(started, error.smtp_code, reply, "the mail server refused the message")
    except TimeoutError:
        return _answer(started, None, "", f"timed out after {timeout:g} s")
    except (OSError, smtplib.SMTPException) as error:
        if time.monotonic() - started >= timeout:
            return _answer(started, None, "", f"timed out after {timeout:g} s")
        return _answer(started, None, "", f"mail server: {type(error).__name__}: {error}"[:300])
    finally:
        if timer is not None:
            timer.cancel()
        if smtp is not None and smtp.sock is not None:
            smtp.close()


def _transmit(smtp: smtplib.SMTP, message: EmailMessage) -> tuple[int, bytes]:
    """MAIL, RCPT and DATA; the server's reply to DATA (its code and text)."""
    recipients = [address.strip() for address in message["To"].split(",") if address.strip()]
    smtp.ehlo_or_helo_if_needed()
    code, reply = smtp.mail(message["From"])
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, reply, message["From"])
    refused = {}
    for recipient in recipients:
        code, reply = smtp.rcpt(recipient)
        if code not in (250, 251):
            refused[recipient] = (code, reply)
    if len(refused) == len(recipients):
        smtp.rset()
        raise smtplib.SMTPRecipientsRefused(refused)
    code, reply = smtp.data(message.as_bytes(policy=email.policy.SMTP))  # CRLF line ends
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)
    return code, reply


def _write_file(message: EmailMessage, folder: str | None, started: float) -> Answer:
    """Write the email as an .eml file (development without a mail server)."""
    if not folder:
        return _answer(started, None, "", "no mail server is set (MAIL_SERVER)")
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    name = time.strftime("%Y%m%dT%H%M%S") + "-" + message["Message-ID"].strip("<>").split("@")[0]
    target = path / f"{name}.eml"
    target.write_bytes(message.as_bytes())
    return _answer(started, None, f"written to {target}", None, succeeded=True)


def _answer(started, code, reply, error, succeeded=None) -> Answer:
    """An Answer: SMTP's reply code and text, or an error; a written file is accepted."""
    duration = int((time.monotonic() - started) * 1000)
    return Answer(code, reply[:500], error, duration, accepted=succeeded)


def _cut(smtp: smtplib.SMTP) -> None:
    """The deadline passed: shut the socket so a blocked read or write returns."""
    if smtp.sock is not None:
        with contextlib.suppress(OSError):
            smtp.sock.shutdown(socket.SHUT_RDWR)
