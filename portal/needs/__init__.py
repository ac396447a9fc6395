from flask import Blueprint

bp = Blueprint("needs", __name__)

from portal.needs import board_cache  # noqa: E402,F401  (notices every change to a need)
