"""Text messages: a pluggable backend (SMS_BACKEND: "log", or "module:function" called with
(phone, text)), used by every area that writes to a mobile (codes, reset links)."""

from __future__ import annotations

import importlib
import logging

from flask import current_app

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
