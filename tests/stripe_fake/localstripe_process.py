"""Starts and stops localstripe (a subprocess in its own venv) for the tests."""

from __future__ import annotations

import json
import select
import subprocess
import tempfile
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LOCALSTRIPE_PYTHON = REPO / ".venv-localstripe" / "bin" / "python"
LAUNCHER = Path(__file__).with_name("serve_localstripe.py")
START_TIMEOUT = 30  # seconds: a cold start on a busy machine imports aiohttp in about one


class LocalStripeError(RuntimeError):
    pass


class LocalStripe:
    """One localstripe process on 127.0.0.1; `base_url` is what the stripe library's api_base
    would be (the stand-in forwards to it)."""

    def __init__(self, python: Path = LOCALSTRIPE_PYTHON):
        self.python = Path(python)
        self.base_url: str | None = None
        self._process: subprocess.Popen | None = None
        self._stderr = tempfile.TemporaryFile()

    def start(self) -> LocalStripe:
        if not self.python.exists():
            raise LocalStripeError(
                f"localstripe is not installed ({self.python} is missing): run `make install-test`"
            )
        self._process = subprocess.Popen(
            [str(self.python), "-I", str(LAUNCHER)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )
        ready, _, _ = select.select([self._process.stdout], [], [], START_TIMEOUT)
        line = self._process.stdout.readline() if ready else b""
        if not line.strip().isdigit():
            self.stop()
            raise LocalStripeError(f"localstripe did not start:\n{self.errors()}")
        self.base_url = f"http://127.0.0.1:{int(line)}"
        # One real request proves it answers (it refuses a call without a secret key with 401).
        try:
            self.flush()
        except OSError as exc:
            self.stop()
            raise LocalStripeError(f"localstripe does not answer: {exc}\n{self.errors()}") from exc
        return self

    def flush(self) -> None:
        """Forgets every object: each test starts from an empty Stripe account."""
        request = urllib.request.Request(self.base_url + "/_config/data", method="DELETE")
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    def get(self, path: str, secret_key: str) -> dict:
        """Reads an object straight from localstripe (no stand-in, no recording)."""
        request = urllib.request.Request(
            self.base_url + path, headers={"Authorization": f"Bearer {secret_key}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def errors(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")[-4000:]

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process is not None and self._process.stdout:
            self._process.stdout.close()
        self._process = None
