"""Email destinations against a real SMTP server (aiosmtpd) on loopback: both parts, the
headers, escaping, logging in, refusals, and .eml files in development."""

from email.utils import parseaddr

from portal.models import utcnow
from tests.delivery.conftest import attempts, deliver, deliveries, email_destination
from tests.delivery.receiver import Mailbox
from tests.support.leads import submit

HOSTILE_AGENT = '<script>alert("x")</script> Mozilla/5.0'


def send_lead(client, listing, headers=None, **answers):
    """A visitor sends the form; it is acknowledged."""
    response = submit(client, listing["program_id"], headers=headers, **answers)
    assert response.status_code == 303


def test_a_lead_arrives_as_a_readable_email_with_both_parts(app, client, runner, listing, mailbox):
    app.config.update(mailbox.settings(MAIL_FROM="Leads <leads@portal.example>"))
    email_destination(app, listing["school_id"], "admissions@school.example, dean@school.example")
    send_lead(client, listing, headers={"User-Agent": HOSTILE_AGENT}, last_name="O'Brien")
    deliver(runner)

    [(sender, recipients, message)] = mailbox.messages
    assert sender == "leads@portal.example"
    assert recipients == ["admissions@school.example", "dean@school.example"]
    assert message["From"] == "Leads <leads@portal.example>"
    assert message["To"] == "admissions@school.example, dean@school.example"
    assert message["Subject"].startswith("New request for information: lead ")
    assert parseaddr(message["Reply-To"])[1] == "jane.doe@example.com"
    [delivery] = deliveries(app)
    assert message["Message-ID"] == f"<{delivery.webhook_id}@portal.example>"
    assert message["X-Lead-Id"] == str(delivery.lead_id)
    assert message["Date"]
    assert message.get_content_type() == "multipart/alternative"

    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for part in (text, html):
        assert "Lakeshore Medical Institute" in part
        assert "+13125550142" in part
        assert "High school diploma or GED" in part and "Within 1 month" in part
        assert "$31.00" in part
    assert "Jane O'Brien" in text and HOSTILE_AGENT in text
    assert "Jane O&#39;Brien" in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<script>" not in html

    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    [attempt] = attempts(app)
    assert attempt.succeeded and attempt.status_code == 250


def test_the_mail_server_login_is_used(app, client, runner, listing):
    mailbox = Mailbox(login=("portal", "s3cret"))
    try:
        app.config.update(mailbox.settings(MAIL_USERNAME="portal", MAIL_PASSWORD="s3cret"))
        email_destination(app, listing["school_id"], "admissions@school.example")
        send_lead(client, listing)
        deliver(runner)
        assert mailbox.logins == ["portal"]
        assert len(mailbox.messages) == 1
    finally:
        mailbox.stop()


def test_a_wrong_mail_password_is_a_failed_attempt_retried_later(app, client, runner, listing):
    mailbox = Mailbox(login=("portal", "s3cret"))
    try:
        app.config.update(
            mailbox.settings(MAIL_USERNAME="portal", MAIL_PASSWORD="wrong"),
            DELIVERY_RETRY_BASE_SECONDS=60,
        )
        email_destination(app, listing["school_id"], "admissions@school.example")
        send_lead(client, listing)
        deliver(runner)
        assert mailbox.messages == []
        [attempt] = attempts(app)
        assert not attempt.succeeded
        assert deliveries(app)[0].status == "pending"
    finally:
        mailbox.stop()


def test_a_mail_server_that_is_down_is_retried(app, client, runner, listing):
    from tests.support.servers import free_port

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    app.config["DELIVERY_RETRY_BASE_SECONDS"] = 60
    email_destination(app, listing["school_id"], "admissions@school.example")
    send_lead(client, listing)
    deliver(runner)
    [attempt] = attempts(app)
    assert not attempt.succeeded and "ConnectionRefusedError" in attempt.error
    assert deliveries(app)[0].status == "pending"


def test_without_a_mail_server_development_writes_eml_files(app, client, runner, listing, tmp_path):
    app.config["MAIL_FILE_FOLDER"] = str(tmp_path / "mail")
    email_destination(app, listing["school_id"], "admissions@school.example")
    send_lead(client, listing)
    deliver(runner)
    [written] = list((tmp_path / "mail").glob("*.eml"))
    content = written.read_text()
    assert "To: admissions@school.example" in content
    assert "Content-Type: text/html" in content and "Content-Type: text/plain" in content
    assert deliveries(app)[0].status == "delivered"
    assert attempts(app)[0].response_excerpt == f"written to {written}"


def test_without_a_mail_server_or_folder_the_attempt_says_so(app, client, runner, listing):
    app.config["DELIVERY_RETRY_BASE_SECONDS"] = 60
    email_destination(app, listing["school_id"], "admissions@school.example")
    send_lead(client, listing)
    deliver(runner)
    assert attempts(app)[0].error == "no mail server is set (MAIL_SERVER)"


def test_a_test_email_carries_no_lead(app, listing, mailbox):
    from portal.delivery.send import send_test_to_destination
    from portal.services.destinations import get_destination
    from portal.services.transport import DeliverySettings

    app.config.update(mailbox.settings())
    destination_id = email_destination(app, listing["school_id"], "admissions@school.example")
    with app.app_context():
        settings = DeliverySettings.from_config(app.config)
        answer = send_test_to_destination(get_destination(destination_id), settings, utcnow())
    assert answer.succeeded and answer.status == 250
    [(_, _, message)] = mailbox.messages
    assert message["Subject"] == "Test email from Medical Career Guide"
    assert "It carries no lead." in message.get_content()
