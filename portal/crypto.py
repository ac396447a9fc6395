"""Encryption of sensitive fields at rest, and keyed hashes to look them up without decrypting."""

from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app


class Keyring:
    def __init__(self, field_keys: list[str], blind_index_key: str):
        if not field_keys:
            raise ValueError("at least one field encryption key is needed")
        self.fernet = MultiFernet([Fernet(k.encode()) for k in field_keys])
        self.blind_index_key = blind_index_key.encode()


def init_app(app: Flask) -> None:
    app.extensions["keyring"] = Keyring(app.config["FIELD_ENCRYPTION_KEYS"], app.config["BLIND_INDEX_KEY"])


def _keyring() -> Keyring:
    return current_app.extensions["keyring"]


def encrypt(plaintext: str) -> str:
    return _keyring().fernet.encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _keyring().fernet.decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("a field could not be decrypted with any configured key") from exc


def blind_index(value: str) -> str:
    """HMAC-SHA256 of a normalised value: equal inputs match, the value itself is not revealed."""
    normalised = "".join(value.split()).upper()
    return hmac.new(_keyring().blind_index_key, normalised.encode(), hashlib.sha256).hexdigest()


def signed_codes(secret_key: str, purpose: str):
    """The signer of codes a printed document carries (a service certificate, a donation receipt):
    a list of plain values, signed with HMAC-SHA256 under the application's secret key and salted
    with ``purpose``, so a code made for one kind of document never verifies as another. ``loads``
    raises ``itsdangerous.BadData`` for anything this portal did not sign."""
    from itsdangerous import URLSafeSerializer

    return URLSafeSerializer(secret_key, salt=purpose, signer_kwargs={"digest_method": hashlib.sha256})
