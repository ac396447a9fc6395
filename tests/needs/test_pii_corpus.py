"""The summary check judged on the corpus (``pii_corpus.jsonl``): every summary that reveals a child
is blocked, and fewer than 3% of ordinary summaries are. Each case is checked with its context: the
names of every child and guardian of a town's villages (hundreds), the villages, the children's
dates of birth, and the town, county and city, which may be named. ``bench/pii.py`` reads the same
file and also times the check."""

import json
from datetime import date
from pathlib import Path

from portal.needs.pii import find_pii

CORPUS = Path(__file__).with_name("pii_corpus.jsonl")
MAX_FALSE_ALARM_RATE = 0.03


def load(path: Path = CORPUS) -> tuple[dict, list[dict]]:
    contexts, cases = {}, []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        item = json.loads(line)
        if "text" in item:
            cases.append(item)
        else:
            contexts[item["context"]] = item
    return contexts, cases


def check(case: dict, contexts: dict):
    context = contexts[case["context"]]
    return find_pii(case["text"], names=context["names"], places=context["places"],
                    birth_dates=[date.fromisoformat(d) for d in context["birth_dates"]],
                    public_places=context.get("public_places", ()))


def test_the_corpus_is_large_and_village_sized():
    contexts, cases = load()
    verdicts = [c["expect"] for c in cases]
    assert len(cases) >= 400 and verdicts.count("block") >= 150 and verdicts.count("pass") >= 150
    assert all(len(ctx["names"]) >= 400 for ctx in contexts.values())
    assert len({c["class"] for c in cases if c["expect"] == "block"}) >= 30


def test_no_summary_that_reveals_a_child_gets_through():
    contexts, cases = load()
    missed = [(c["class"], c["text"]) for c in cases if c["expect"] == "block" and not check(c, contexts)]
    assert missed == []


def test_ordinary_summaries_are_rarely_refused():
    contexts, cases = load()
    ordinary = [c for c in cases if c["expect"] == "pass"]
    alarms = [c["text"] for c in ordinary if check(c, contexts)]
    assert len(alarms) / len(ordinary) < MAX_FALSE_ALARM_RATE, alarms
