"""Outgoing mail over SMTP, sent from the task queue so a slow mail server never blocks a page.

With no MAIL_SERVER configured (a laptop, a closed intranet without mail) the message is written
to the log instead, so a development reset link can still be followed.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app

from portal.queue import huey, in_app_context


def build_message(to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    return message


@huey.task(retries=3, retry_delay=60)
@in_app_context
def send_mail(to: str, subject: str, body: str) -> None:
    config = current_app.config
    message = build_message(to, subject, body)
    if not config["MAIL_SERVER"]:
        current_app.logger.warning("MAIL_SERVER not set; mail to %s not sent:\n%s", to, message)
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)
