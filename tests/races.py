"""Actions pressed at the same moment, each in its own connection and transaction (on SQLite and
on PostgreSQL, whichever the suite runs on): the outcome of each, "done", "refused" (a Conflict)
or "error: …" (anything else is a failure of the rule)."""

import threading

from portal import db
from portal.errors import Conflict


def race(app, acts, refused: type[Exception] = Conflict) -> list[str]:
    """Run each ``act(session)`` in its own thread and write session, all released together; an
    act that raises ``refused`` was "refused"."""
    start = threading.Barrier(len(acts))
    outcomes: list[str] = []
    lock = threading.Lock()

    def press(act) -> None:
        with app.app_context():
            session = db.new_session(write=True)
            try:
                start.wait()
                act(session)
                session.commit()
                result = "done"
            except refused:
                session.rollback()
                result = "refused"
            except Exception as exc:  # anything else is a failure of the rule
                session.rollback()
                result = f"error: {exc!r}"
            finally:
                session.close()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=press, args=(act,)) for act in acts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes
