"""python -m matching evaluate | generate | recommend | fit | bench | real — see matching/README.md."""

from __future__ import annotations

import argparse
import json
import sys

from matching.data import DataError
from matching.persist import ModelFileError


def _evaluate(args) -> int:
    import matching
    from matching.data import load
    from matching.evaluate import evaluate
    from matching.fairness import ExposureReranker

    data = load(args.data)
    chosen = matching.models(include_optional=not args.no_optional)
    if args.models:
        names = args.models.split(",")
        unknown = [n for n in names if n not in chosen]
        if unknown:
            raise SystemExit(f"unknown model(s): {', '.join(unknown)}; known: {', '.join(chosen)}")
        chosen = {n: chosen[n] for n in [matching.DEFAULT, *names] if n in chosen}

    def progress(name, row):
        if not args.json:
            print(f"  {name}: ndcg@{args.k} {row[f'ndcg@{args.k}']}", file=sys.stderr)

    result = evaluate(data, chosen, k=args.k, test_fraction=args.test_fraction, max_helpers=args.max_helpers,
                      fairness=ExposureReranker(), progress=progress)
    if args.replay:
        from matching.evaluate import time_split
        from matching.fairness import replay

        split = time_split(data, args.test_fraction, args.max_helpers)
        model = chosen[matching.DEFAULT].fit(split.train, now=split.split_at)
        result["replay"] = {"plain": replay(model, data, split, args.k),
                            "fair": replay(model, data, split, args.k, ExposureReranker())}
    if args.fairness_curve:
        from matching.evaluate import fairness_curve, time_split, validation_split

        split = time_split(data, args.test_fraction, args.max_helpers)
        validation = validation_split(split)
        default = matching.models(include_optional=False)[matching.DEFAULT]
        result["fairness_curve"] = {
            "validation": fairness_curve(default.fit(validation.train, now=validation.split_at), validation, args.k),
            "test": fairness_curve(default.fit(split.train, now=split.split_at), split, args.k),
        }
    if args.json:
        print(json.dumps({"default": matching.DEFAULT, "k": args.k, **result}, ensure_ascii=False))
        return 0
    print(table(result, args.k))
    for period, rows in result.get("fairness_curve", {}).items():
        for row in rows:
            print(f"fairness ({period}): free {row['free']} pool {row['pool']} weight {row['exposure_weight']}: "
                  f"ndcg@{args.k} {row[f'ndcg@{args.k}']} (loss {row['loss']:.1%}), reach {row['reach']:.1%}")
    return 0


def table(result: dict, k: int) -> str:
    split = result["split"]
    lines = [f"split: {split['train_interactions']} training interactions, {split['test_helpers']} test helpers "
             f"({split['cold_start_helpers']} cold), {split['candidates']} candidate needs"]
    columns = [f"precision@{k}", f"recall@{k}", f"ndcg@{k}", f"map@{k}", "coverage", "exposure_gini",
               f"cold_start_ndcg@{k}", f"warm_ndcg@{k}", "reach", "fit_seconds"]
    lines.append(f"{'model':<20}" + "".join(f"{c:>20}" for c in columns))
    for name, row in result["models"].items():
        lines.append(f"{name:<20}" + "".join(f"{row.get(c, ''):>20}" for c in columns))
    if "replay" in result:
        for name, row in result["replay"].items():
            lines.append(f"replay {name}: {row['claims']} claims, {row['needs_with_claim']} needs with a claim")
    return "\n".join(lines)


def _generate(args) -> int:
    from matching.generate import generate

    counts = generate(args.out, scale=args.scale, seed=args.seed)
    print(json.dumps(counts))
    return 0


def _recommend(args) -> int:
    import matching
    from matching.data import load
    from matching.explain import describe

    data = load(args.data)
    if args.model:
        from matching.persist import load as load_model
        from matching.persist import read_key_file

        model = load_model(args.model, read_key_file(args.key_file))
    else:
        model = matching.models(include_optional=False)[matching.DEFAULT].fit(data)
    if args.helper:
        if args.helper not in data.helper_index:
            raise SystemExit(f"no helper {args.helper} in {args.data}/helpers.csv")
        suggestions = model.recommend_needs(args.helper, args.k)
    else:
        if args.need not in data.need_index:
            raise SystemExit(f"no need {args.need} in {args.data}/needs.csv")
        suggestions = model.recommend_helpers(args.need, args.k)
    for rank, s in enumerate(suggestions, 1):
        print(f"{rank:>3}  {s.id:<12} {s.score:8.3f}  {describe(s.reasons, args.language)}")
    return 0


def _fit(args) -> int:
    import matching
    from matching.data import load
    from matching.persist import read_key_file, save

    data = load(args.data)
    model = matching.models(include_optional=False)[matching.DEFAULT].fit(data)
    save(model, args.out, read_key_file(args.key_file, create=True))
    print(f"saved {model.name} to {args.out}")
    return 0


def _bench(args) -> int:
    from matching.bench import main

    return main(args)


def _real(args) -> int:
    from matching.real import convert

    print(json.dumps(convert(args.out)))
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m matching", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)

    p = sub.add_parser("evaluate", help="compare every model on a time split")
    p.add_argument("--data", required=True)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--test-fraction", type=float, default=0.2)
    p.add_argument("--max-helpers", type=int, default=None, help="rank for a sample of this many test helpers")
    p.add_argument("--models", help="comma-separated names to compare with the default (default: all)")
    p.add_argument("--no-optional", action="store_true", help="leave out implicit and LightFM")
    p.add_argument("--replay", action="store_true", help="also replay the test period with and without fairness")
    p.add_argument("--fairness-curve", action="store_true",
                   help="also the fairness re-ranking's trade-off (NDCG lost, reach) for several settings, on a "
                        "validation split of the training period and on the test")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_evaluate)

    p = sub.add_parser("generate", help="write a synthetic data set")
    p.add_argument("--out", required=True)
    p.add_argument("--scale", choices=("small", "province"), default="small")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(run=_generate)

    p = sub.add_parser("recommend", help="ranked needs for a helper, or helpers for a need")
    p.add_argument("--data", required=True)
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--helper")
    who.add_argument("--need")
    p.add_argument("-k", "--k", type=int, default=10)
    p.add_argument("--model", help="a fitted model file (default: fit the default model on --data)")
    p.add_argument("--key-file", default="model.key", help="the key the model file was signed with (hex)")
    p.add_argument("--language", choices=("zh", "en"), default="zh")
    p.set_defaults(run=_recommend)

    p = sub.add_parser("fit", help="fit the default model and save it")
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--key-file", default="model.key",
                   help="the key that signs the model file (hex; a new one is made if the file does not exist)")
    p.set_defaults(run=_fit)

    p = sub.add_parser("bench", help="time fit and recommendations at a scale")
    p.add_argument("--scale", choices=("small", "province"), default="small")
    p.add_argument("--data", help="a data set to use instead of generating one")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quality", nargs="+", metavar="DIR",
                   help="instead: NDCG against the best other model, cold start and fairness on these data sets "
                        "at test fractions 0.2, 0.35 and 0.5")
    p.set_defaults(run=_bench)

    p = sub.add_parser("real", help="convert the real public data set to the exchange format")
    p.add_argument("--out", required=True)
    p.set_defaults(run=_real)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except DataError as error:
        print(f"the data set was refused:\n{error}", file=sys.stderr)
        return 2
    except ModelFileError as error:
        print(f"the model file was refused: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
