"""Matching in the portal: the recommender (the ``matching`` library) put to work.

Helpers see "recommended for you" on the board, staff see suggested helpers on a published need
and invite them; views and invitations are recorded here. The portal exports its data in the
library's exchange format, a daily task retrains the model and swaps its file atomically, and
without a model file the board falls back on the library's profile rules.
"""

from flask import Blueprint

bp = Blueprint("matching", __name__)
