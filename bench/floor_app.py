"""The floor of bench/pages.py: the least a page of the portal could cost on this machine.

A minimal Flask app with the portal's own engine and pool settings (``portal.db.make_engine``)
that answers one primary-key SELECT on ``child`` per request, as plain text. Served by the same
gunicorn, with the same workers, as the portal it is compared with:

    DATABASE_URL=... .venv/bin/gunicorn -w 4 -b 127.0.0.1:8001 --chdir bench floor_app:app

Not part of the portal: it exists only to be measured beside it.
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask  # noqa: E402
from sqlalchemy import text  # noqa: E402

from portal.db import make_engine  # noqa: E402

app = Flask(__name__)
engine = make_engine(os.environ["DATABASE_URL"])
with engine.connect() as connection:
    LOW, HIGH = connection.execute(text("SELECT min(id), max(id) FROM child")).one()


@app.get("/")
def floor():
    with engine.connect() as connection:
        row = connection.execute(text("SELECT id, risk_level FROM child WHERE id = :id"),
                                 {"id": random.randint(LOW or 1, HIGH or 1)}).first()
    return f"{row[0] if row else '-'}\n", 200, {"Content-Type": "text/plain"}
