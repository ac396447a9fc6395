"""A text-message backend for tests (SMS_BACKEND="tests.helpers.sms:capture"): keeps what was sent."""

import re

OUTBOX: list[tuple[str, str]] = []


def capture(phone: str, text: str) -> None:
    OUTBOX.append((phone, text))


def last_code(phone: str) -> str:
    for to, text in reversed(OUTBOX):
        if to == phone:
            return re.search(r"\d{6}", text).group(0)
    raise AssertionError(f"no code sent to {phone}")
