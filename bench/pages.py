"""How fast are the portal's pages under load, next to the least a page could cost?

    .venv/bin/python bench/pages.py                                   # small set, SQLite
    .venv/bin/python bench/pages.py --scale province --database-url postgresql+psycopg://…/db

Loads the demo set (``flask demo-data``) into an empty database, or reuses a database this script
loaded before (its state folder remembers which: `--state-dir`, by default one per scale under
~/.cache/tongxin-bench). It then serves the portal under gunicorn and, beside it, the floor app of
`bench/floor_app.py` (the portal's engine and pool, one primary-key SELECT on ``child``), both with
the same workers; signs in the demo accounts the pages need; and drives each page with wrk
(Debian's package, installed when missing) right after driving the floor, so each ratio compares two
measurements taken under the same conditions.

The pages: the anonymous board; a volunteer's board with the fitted recommender (the script trains
one with `flask matching-train` when the state folder has none) and with the fallback one (a second
portal whose model file does not exist, so it fits the profile rules on the live board); the county's child list and overdue list; a
child's file and a need's staff page; `/healthz`; and the main page of each newer area (donations,
programmes, disbursements, the staff home page, the county's dashboard and report, training
sessions and coverage, clues, partner-list comparisons).

Readable lines go to standard output; the last line is one JSON object: `floor_p50_ms`,
`floor_p99_ms`, and `pages` → name → `p50_ms`, `p99_ms`, `rps`, `errors`, `ratio_p50`,
`ratio_p99` (and each page's own floor run).
"""

from __future__ import annotations

import argparse
import hashlib
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "tongxin-demo"  # portal.accounts.demo.DEMO_PASSWORD (not imported: the portal reads env at import)


def log(line: str = "") -> None:
    print(line, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(args: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, cwd=ROOT, check=True, text=True, **kwargs)


# --- the database: loaded once, then reused ------------------------------------------------------


def state_folder(args) -> Path:
    """Where the run keeps the instance folder (secrets) and what it loaded, per scale."""
    return Path(args.state_dir or Path.home() / ".cache" / "tongxin-bench" / f"pages-{args.scale}")


def prepare(args) -> dict:
    """The environment every process of the run shares (database, instance folder with its
    secrets), after loading the demo set when the database is empty."""
    state = state_folder(args)
    state.mkdir(parents=True, exist_ok=True)
    url = args.database_url or os.environ.get("DATABASE_URL") or f"sqlite:///{state / 'bench.db'}"
    env = dict(os.environ, TONGXIN_ENV="development", TONGXIN_INSTANCE=str(state / "instance"),
               DATABASE_URL=url, HUEY_IMMEDIATE="1", SESSION_COOKIE_SECURE="0",
               PUBLIC_URL="http://127.0.0.1", LOGIN_LIMIT_PER_ACCOUNT="1000 per minute",
               LOGIN_LIMIT_PER_ADDRESS="1000 per minute")
    env.pop("TONGXIN_TEST_DATABASE_URL", None)
    marker = state / "loaded.json"
    key = hashlib.sha256(url.encode()).hexdigest()[:16]
    tables = int(subprocess.run(
        [str(BIN / "python"), "-c", "import os,sys;from sqlalchemy import create_engine, inspect;"
         "print(len(inspect(create_engine(os.environ['DATABASE_URL'])).get_table_names()))"],
        env=env, cwd=ROOT, check=True, text=True, capture_output=True).stdout.strip())
    loaded = json.loads(marker.read_text()) if marker.exists() else {}
    if tables and loaded.get("database") != key:
        raise SystemExit("the database holds tables this script did not load: give it an empty database "
                         "(or the --state-dir of the run that loaded it)")
    flask = [str(BIN / "flask"), "--app", "app"]
    if not tables:
        log(f"loading the {args.scale} demo set (once; later runs reuse it)")
        started = time.perf_counter()
        run(flask + ["db", "upgrade"], env)
        run(flask + ["demo-data", "--scale", args.scale], env)
        if url.startswith("postgresql"):
            run([str(BIN / "python"), "-c", "import os;from sqlalchemy import create_engine, text;"
                 "e=create_engine(os.environ['DATABASE_URL'], isolation_level='AUTOCOMMIT');"
                 "c=e.connect();c.execute(text('VACUUM ANALYZE'))"], env)
        marker.write_text(json.dumps({"database": key, "scale": args.scale,
                                      "load_seconds": round(time.perf_counter() - started)}))
    else:
        run(flask + ["db", "upgrade"], env)  # a newer portal on a database loaded before
    model = Path(env["TONGXIN_INSTANCE"]) / "matching" / "model.bin"
    if not model.exists():
        log("training the recommender once (flask matching-train)")
        run(flask + ["matching-train"], env)
    return env


# --- serving -------------------------------------------------------------------------------------


class Server:
    def __init__(self, target: str, env: dict, workers: int, worker_class: str, threads: int, chdir: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", str(workers), "-k", worker_class, "--threads", str(threads),
             "-b", f"127.0.0.1:{self.port}", "--chdir", str(chdir), "--log-level", "warning",
             "--timeout", "120", target],
            env=env, cwd=ROOT, start_new_session=True)

    def wait(self, path: str = "/") -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + path, timeout=5):
                    return
            except Exception:
                if self.process.poll() is not None:
                    raise SystemExit(f"the server on {self.base} exited ({self.process.returncode})") from None
                time.sleep(0.5)
        raise SystemExit(f"the server on {self.base} did not answer within two minutes")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def sign_in(base: str, username: str) -> str:
    """The session cookie of ``username`` signed in through the login form, as a browser would."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "username": username, "password": PASSWORD,
                                   "next": ""}).encode()
    opener.open(urllib.request.Request(base + "/login", data=data)).read()
    cookie = next((c for c in jar if c.name == "tongxin_session"), None)
    if cookie is None or opener.open(base + "/account").geturl().endswith("/login"):
        raise SystemExit(f"could not sign in as {username}")
    return f"{cookie.name}={cookie.value}"


def first_path(base: str, cookie: str, listing: str, pattern: str) -> str:
    """The first link matching ``pattern`` on the page ``listing`` (a child's file, a need)."""
    request = urllib.request.Request(base + listing, headers={"Cookie": cookie})
    body = urllib.request.urlopen(request).read().decode()
    found = re.search(pattern, body)
    if not found:
        raise SystemExit(f"no link like {pattern} on {listing}")
    return found.group(0)


# --- load ----------------------------------------------------------------------------------------


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    log("wrk is missing: installing it from Debian's packages")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run(sudo + ["apt-get", "update", "-qq"], check=True)
    subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "wrk"], check=True,
                   env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    return shutil.which("wrk")


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


def drive(wrk: str, url: str, cookie: str | None, seconds: int, connections: int) -> dict:
    args = [wrk, "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", "--timeout", "10s"]
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(args + [url], check=True, text=True, capture_output=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)(?:\.000)?%\s+(\S+)$", out, re.M))
    if not latency:
        raise SystemExit(f"wrk completed no request to {url} in {seconds} s:\n{out}")
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return {"p50_ms": round(_ms(latency["50"]), 1), "p99_ms": round(_ms(latency["99"]), 1),
            "rps": round(float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))), "errors": errors}


def warm(url: str, cookie: str | None, workers: int) -> None:
    """Ask for the page from as many clients at once as there are workers, a few times each, so
    every worker has compiled its templates and loaded its models before the page is measured."""
    from concurrent.futures import ThreadPoolExecutor

    def fetch(_):
        for _round in range(3):
            request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
            with urllib.request.urlopen(request, timeout=300) as response:
                response.read()

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(fetch, range(workers)))


def measure(wrk: str, args, floor: Server, url: str, cookie: str | None, name: str) -> dict:
    """The page at ``url`` right after the floor, under the same load; one table line."""
    warm(url, cookie, args.workers)
    base = drive(wrk, floor.base + "/", None, args.seconds, args.connections)
    figures = drive(wrk, url, cookie, args.seconds, args.connections)
    figures.update(floor_p50_ms=base["p50_ms"], floor_p99_ms=base["p99_ms"],
                   ratio_p50=round(figures["p50_ms"] / base["p50_ms"], 1),
                   ratio_p99=round(figures["p99_ms"] / base["p99_ms"], 1))
    log(f"{name:<26} {figures['p50_ms']:>7} {figures['p99_ms']:>7} {figures['rps']:>6} {figures['errors']:>4} "
        f"{base['p50_ms']:>9} {base['p99_ms']:>6} {figures['ratio_p50']:>5} {figures['ratio_p99']:>5}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["small", "province"], default="small")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--state-dir", default=None)
    parser.add_argument("--seconds", type=int, default=30, help="wrk's duration per run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--only", default="", help="comma-separated page names")
    args = parser.parse_args()

    env = prepare(args)
    wrk = ensure_wrk()
    portal = Server("app:app", env, args.workers, args.worker_class, args.threads, ROOT)
    floor = Server("floor_app:app", env, args.workers, args.worker_class, args.threads, ROOT / "bench")
    fallback = Server("app:app", dict(env, MATCHING_MODEL=str(Path(env["TONGXIN_INSTANCE"]) / "no-model.bin")),
                      args.workers, args.worker_class, args.threads, ROOT)
    try:
        for server, path in ((portal, "/healthz"), (floor, "/"), (fallback, "/healthz")):
            server.wait(path)
        county, volunteer = sign_in(portal.base, "demo-county"), sign_in(portal.base, "demo-volunteer")
        child = first_path(portal.base, county, "/children/", r"/children/\d+")
        need = first_path(portal.base, county, "/needs/", r"/needs/\d+")
        pages = {
            "board_anonymous": ("/board", None),
            "board_volunteer_fitted": ("/board", volunteer),
            "children_county": ("/children/", county),
            "overdue_county": ("/visits/overdue", county),
            "child_file": (child, county),
            "need_staff": (need, county),
            "healthz": ("/healthz", None),
            "home_county": ("/", county),
            "donations_county": ("/donations", county),
            "programmes_county": ("/programmes/", county),
            "disbursements_county": ("/disbursements/", county),
            "dashboard_county": ("/dashboards/371302000000", county),
            "report_county": ("/dashboards/371302000000/report", county),
            "training_county": ("/training/", county),
            "training_coverage_county": ("/training/coverage", county),
            "clues_county": ("/clues/", county),
            "comparisons_county": ("/comparisons/", county),
        }
        only = {p for p in args.only.split(",") if p}
        results: dict[str, dict] = {}
        log(f"{'page':<26} {'p50':>7} {'p99':>7} {'req/s':>6} {'err':>4} {'floor p50':>9} {'p99':>6} "
            f"{'÷p50':>5} {'÷p99':>5}")
        for name, (path, cookie) in pages.items():
            if not only or name in only:
                results[name] = measure(wrk, args, floor, portal.base + path, cookie, name)
        if not only or "board_volunteer_fallback" in only:
            # No model file: every helper is ranked by the fallback, fitted on the live board.
            results["board_volunteer_fallback"] = measure(
                wrk, args, floor, fallback.base + "/board", sign_in(fallback.base, "demo-volunteer"),
                "board_volunteer_fallback")
    finally:
        for server in (portal, floor, fallback):
            server.stop()
    floors = [r["floor_p50_ms"] for r in results.values()] or [0]
    floors99 = [r["floor_p99_ms"] for r in results.values()] or [0]
    print(json.dumps({"scale": args.scale, "workers": args.workers, "worker_class": args.worker_class,
                      "connections": args.connections, "seconds": args.seconds,
                      "floor_p50_ms": sorted(floors)[len(floors) // 2],
                      "floor_p99_ms": sorted(floors99)[len(floors99) // 2], "pages": results},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
