"""Runs localstripe on a free loopback port; started by tests/stripe_fake/localstripe_process.py with the
Python of .venv-localstripe (this file never runs in the portal's venv).

localstripe's own start() listens on every interface at a fixed port and pickles its store to one
file in /tmp after every write (shared by every run on the machine, and read back at start): here it
listens on 127.0.0.1 only, on a port the kernel picks, and keeps its store in memory."""

import ctypes
import signal
import socket
import sys

from aiohttp import web
from localstripe import resources
from localstripe.server import app


def _die_with_parent() -> None:
    """A test run killed outright (no fixture teardown) must not leave localstripe behind."""
    if sys.platform.startswith("linux"):
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def main() -> None:
    _die_with_parent()
    resources.Store.dump_to_disk = lambda self: None
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    # Listening before the port is announced: the first request waits in the backlog instead of
    # being refused while aiohttp starts.
    sock.listen(128)
    print(sock.getsockname()[1], flush=True)
    web.run_app(app, sock=sock, print=None, access_log=None, handle_signals=True)


if __name__ == "__main__":
    main()
