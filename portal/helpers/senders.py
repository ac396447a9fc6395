"""Sending a verification code: by e-mail through the mail queue, or by text message through the
SMS backend (``portal.sms``).

Codes leave only once the transaction that stored them has committed.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlmodel import Session

from portal import db
from portal.sms import sms_backend


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
