"""Sending a verification code: by e-mail through the mail queue, or by text message through a
pluggable backend (SMS_BACKEND: "log", or "module:function" called with (phone, text)).

Codes leave only once the transaction that stored them has committed.
"""

from __future__ import annotations

import importlib
import logging

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlmodel import Session

from portal import db

log = logging.getLogger(__name__)


def log_backend(phone: str, text: str) -> None:
    """Development and closed intranets without a gateway: the text goes to the log."""
    log.warning("SMS to %s: %s", phone, text)


def sms_backend():
    name = current_app.config.get("SMS_BACKEND") or "log"
    if name == "log":
        return log_backend
    module, _sep, function = name.partition(":")
    return getattr(importlib.import_module(module), function)


def send_code(session: Session, channel: str, target: str, code: str, locale: str) -> None:
    from portal.mail import send_mail

    with force_locale(locale or "zh"):
        text = _("Your Tongxin verification code is %(code)s. It is valid for 30 minutes. "
                 "If you did not register, ignore this message.", code=code)
        subject = _("Tongxin: your verification code")
    if channel == "email":
        db.after_commit(session, lambda: send_mail(target, subject, text))
    else:
        backend = sms_backend()
        db.after_commit(session, lambda: backend(target, text))
