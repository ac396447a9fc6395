"""``python -m matching bench``: fit time and memory of the default model against implicit's ALS
on the same data in the same run, then the time of each recommendation over all open needs.

Each fit runs in a child process of its own, so its peak memory is its own (``wait4``'s rusage).
Numbers are printed; the last line is one JSON object.

With ``--quality DIR …``, for each data set and test fraction (0.2, 0.35, 0.5) instead: the
default's and the best other model's NDCG@10 over all test helpers and over those with history,
cold-start NDCG@10 against popularity's, and the fairness setting's reach and NDCG loss.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

KEY = os.urandom(32)  # the bench signs and reads its own model file


def _fit_in_child(make_model, data, out: Path | None) -> dict:
    """Fit ``make_model()`` on ``data`` in a forked child; seconds and peak RSS (MiB)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        status = 0
        try:
            started = time.perf_counter()
            model = make_model().fit(data)
            seconds = time.perf_counter() - started
            if out is not None:
                from matching.persist import save

                save(model, out, KEY)
            os.write(write, json.dumps({"seconds": round(seconds, 2)}).encode())
        except BaseException as error:  # report, never return into the parent's code
            os.write(write, json.dumps({"error": repr(error)}).encode())
            status = 1
        finally:
            os.close(write)
            os._exit(status)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.close(read)
    _, _, usage = os.wait4(pid, 0)
    result = json.loads(b"".join(chunks) or b"{}")
    result["peak_rss_mib"] = round(usage.ru_maxrss / 1024, 1)
    return result


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
        "runs": len(ordered),
    }


def quality(directories: list[str], fractions=(0.2, 0.35, 0.5), k: int = 10) -> dict:
    """The issue's table: per data set and fraction, the default against the best other model."""
    import matching
    from matching.data import load
    from matching.evaluate import evaluate
    from matching.fairness import ExposureReranker

    report = {}
    for directory in directories:
        data = load(directory)
        for fraction in fractions:
            result = evaluate(data, matching.models(), k=k, test_fraction=fraction, fairness=ExposureReranker())
            models, default = result["models"], matching.DEFAULT
            others = {n: r for n, r in models.items() if not n.startswith(default)}
            row = {"test_helpers": result["split"]["test_helpers"], "cold": result["split"]["cold_start_helpers"]}
            for label, metric in (("all", f"ndcg@{k}"), ("warm", f"warm_ndcg@{k}")):
                best = max(others, key=lambda n, metric=metric: others[n][metric])
                row[label] = {"default": models[default][metric], "best_other": best,
                              "best_other_value": others[best][metric],
                              "ratio": round(models[default][metric] / others[best][metric], 3)
                              if others[best][metric] else None}
            cold, popular = models[default][f"cold_start_ndcg@{k}"], models["popularity"][f"cold_start_ndcg@{k}"]
            row["cold_start"] = {"default": cold, "popularity": popular,
                                 "ratio": round(cold / popular, 3) if popular else None}
            fair = models[f"{default}+fair"]
            row["fairness"] = {"reach": fair["reach"], "plain_reach": models[default]["reach"],
                               "ndcg_loss": round(1 - fair[f"ndcg@{k}"] / models[default][f"ndcg@{k}"], 4)}
            row["fit_seconds"] = models[default]["fit_seconds"]
            report[f"{Path(directory).name}@{fraction}"] = row
            print(f"{Path(directory).name} @ {fraction}: {json.dumps(row)}", flush=True)
    return report


def main(args) -> int:
    if getattr(args, "quality", None):
        print(json.dumps({"quality": quality(args.quality)}), flush=True)
        return 0
    import matching
    from matching.data import load
    from matching.generate import generate
    from matching.persist import load as load_model

    work = Path(tempfile.mkdtemp(prefix="matching-bench-"))
    report: dict = {"scale": args.scale}
    if args.data:
        directory = Path(args.data)
    else:
        directory = work / "data"
        started = time.perf_counter()
        report["generated"] = generate(directory, scale=args.scale, seed=args.seed)
        report["generate_seconds"] = round(time.perf_counter() - started, 1)
        print(f"generated {report['generated']} in {report['generate_seconds']} s", flush=True)
    started = time.perf_counter()
    data = load(directory)
    report["load_seconds"] = round(time.perf_counter() - started, 1)
    report["sizes"] = {"needs": data.n_needs, "helpers": data.n_helpers, "interactions": int(len(data.inter_at))}
    print(f"loaded {report['sizes']} in {report['load_seconds']} s", flush=True)

    model_file = work / "model.bin"
    report["fit"] = {"tongxin": _fit_in_child(matching.TongxinModel, data, model_file)}
    print(f"fit tongxin: {report['fit']['tongxin']}", flush=True)
    optional = matching.optional_models()
    if "implicit-als" in optional:
        report["fit"]["implicit-als"] = _fit_in_child(lambda: optional["implicit-als"], data, None)
        print(f"fit implicit-als: {report['fit']['implicit-als']}", flush=True)
        als = report["fit"]["implicit-als"].get("seconds")
        if als:
            report["fit_ratio_to_als"] = round(report["fit"]["tongxin"]["seconds"] / als, 2)

    started = time.perf_counter()
    model = load_model(model_file, KEY).warm()  # as the portal reads it, before serving
    loaded = time.perf_counter() - started
    rng = np.random.default_rng(args.seed)
    helpers = rng.choice(data.n_helpers, size=min(300, data.n_helpers), replace=False)
    started = time.perf_counter()
    model.recommend_needs(data.helper_ids[helpers[-1]], k=10)  # the first request after the load
    first = time.perf_counter() - started
    report["model_file"] = {"mib": round(model_file.stat().st_size / 2**20, 1), "load_seconds": round(loaded, 2),
                            "first_recommend_needs_ms": round(first * 1000, 2)}
    print(f"model file: {report['model_file']}", flush=True)
    samples = []
    for helper in helpers:
        started = time.perf_counter()
        model.recommend_needs(data.helper_ids[helper], k=10)
        samples.append(time.perf_counter() - started)
    report["recommend_needs"] = {**_percentiles(samples), "open_needs": int(len(model.open_))}
    print(f"recommend_needs: {report['recommend_needs']}", flush=True)
    needs = rng.choice(model.open_, size=min(300, len(model.open_)), replace=False)
    samples = []
    for need in needs:
        started = time.perf_counter()
        model.recommend_helpers(data.need_ids[need], k=10)
        samples.append(time.perf_counter() - started)
    report["recommend_helpers"] = {**_percentiles(samples), "helpers": data.n_helpers}
    print(f"recommend_helpers: {report['recommend_helpers']}", flush=True)
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(None))
