"""Stripe's form encoding, decoded as Stripe reads it: `metadata[need]=7`,
`line_items[0][price_data][unit_amount]=5000`, `payment_method_types[0]=card` become nested dicts
and lists."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

_PART = re.compile(r"\[([^\[\]]*)\]")


def decode_form(body: str) -> dict:
    tree: dict = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        head, _, rest = key.partition("[")
        parts = [head] + _PART.findall("[" + rest) if rest else [head]
        node = tree
        for i, part in enumerate(parts):
            if part == "":  # `list[]=a&list[]=b`
                part = str(sum(1 for k in node if k.isdigit()))
            if i == len(parts) - 1:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return _lists(tree)


def _lists(node):
    if not isinstance(node, dict):
        return node
    node = {k: _lists(v) for k, v in node.items()}
    if node and all(k.isdigit() for k in node):
        return [node[k] for k in sorted(node, key=int)]
    return node
