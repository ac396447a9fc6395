"""The task queue: a real consumer picks up what the web process enqueues."""

import threading

from huey.signals import SIGNAL_COMPLETE, SIGNAL_ERROR
from sqlmodel import select

from portal import db
from portal.main.models import WorkerHeartbeat
from portal.main.tasks import worker_heartbeat
from portal.queue import huey


def test_consumer_runs_an_enqueued_task_in_the_apps_context(app):
    queue = huey
    queue.immediate = False  # as in production: the web process only enqueues
    finished = threading.Event()
    outcome: list[str] = []

    def on_done(signal, task, *args):
        outcome.append(signal)
        finished.set()

    queue.signal(SIGNAL_COMPLETE, SIGNAL_ERROR)(on_done)
    try:
        queue.flush()
        worker_heartbeat()
        with app.app_context(), db.new_session() as s:
            assert s.scalars(select(WorkerHeartbeat)).first() is None  # enqueued, not run
        consumer = queue.create_consumer(workers=1, worker_type="thread", periodic=False)
        consumer.start()
        try:
            assert finished.wait(timeout=30), "the consumer did not run the task"
        finally:
            consumer.stop(graceful=True)
        assert outcome == [SIGNAL_COMPLETE]
        with app.app_context(), db.new_session() as s:
            assert s.scalars(select(WorkerHeartbeat)).first() is not None
    finally:
        queue.disconnect_signal(on_done)
        queue.immediate = True



def test_a_tracked_job_that_fails_is_marked_failed_keeps_no_upload_and_leaves_no_progress(app, users):
    import pytest

    from portal import queue as jobs
    from portal.children.models import ChildImport

    with app.app_context(), db.write_session() as s:
        job = ChildImport(token="t-fails", created_by_id=users["village"].id, filename="孩子.xlsx",
                          data="身份证号 371302201501010011", status="queued", rows=3)
        s.add(job)
        s.flush()
        job_id = job.id
    seen = []

    def run(session, actor, job, progress):
        progress(1, 3)
        seen.append((actor.id, jobs.read_progress("test-job")))
        raise RuntimeError("the file broke half-way")

    with app.app_context():
        with pytest.raises(RuntimeError):
            jobs.run_tracked(ChildImport, job_id, "test-job", run)
        assert seen == [(users["village"].id, (1, 3))]
        assert jobs.read_progress("test-job") is None
        with db.new_session() as s:
            job = s.get(ChildImport, job_id)
            assert (job.status, job.data, job.result) == ("failed", None, {"error": "RuntimeError"})
