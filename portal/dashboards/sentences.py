"""The seed reports' sentence forms ("登记在册重点监测儿童345名", "结对帮扶371名", …), each filled
with figures of the dashboard (never typed) and linked to the table each figure came from.

A sentence is its English message (translated into the bureaus' Chinese in the catalog) and the
figures it quotes; ``text`` gives it as plain text (for .xlsx and .docx), ``html`` with each figure
a link to its table's anchor on the dashboard."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from portal.dashboards.tables import Figure
from portal.disbursements.reports import yuan

# (key, message, {placeholder: (figure name, unit)}), in the order a bureau's report tells them.
FORMS = [
    ("registered", _l("%(n)s children under close monitoring are on the register"),
     {"n": ("children.active", "count")}),
    ("orphans", _l("of whom %(n)s are orphans"), {"n": ("children.category.orphan", "count")}),
    ("unsupported", _l("%(n)s children have no one in fact raising them"),
     {"n": ("children.category.unsupported", "count")}),
    ("new", _l("%(n)s children in difficulty were newly registered"), {"n": ("children.new", "count")}),
    ("visits", _l("children in difficulty were visited %(n)s times"), {"n": ("visits.visits", "count")}),
    ("visit_coverage", _l("visit coverage reached %(pct)s%%"), {"pct": ("visits.coverage", "percent")}),
    ("agreements", _l("%(n)s temporary guardianship agreements for left-behind children were signed"),
     {"n": ("visits.agreements_signed", "count")}),
    ("workers", _l("%(n)s town child supervisors and village child directors are in post"),
     {"n": ("network.workers", "count")}),
    ("village_coverage", _l("child directors cover %(pct)s%% of villages and communities"),
     {"pct": ("network.village_coverage", "percent")}),
    ("training", _l("%(sessions)s training sessions were held, %(people)s person-times"),
     {"sessions": ("training.sessions", "count"), "people": ("training.person_times", "count")}),
    ("training_coverage", _l("training coverage was %(pct)s%%"), {"pct": ("training.coverage", "percent")}),
    ("paired", _l("%(n)s children are paired for one-to-one support"), {"n": ("needs.paired_children", "count")}),
    ("solved", _l("%(n)s needs of children were solved, %(inside)s of them inside government"),
     {"n": ("needs.solved", "count"), "inside": ("needs.resolved", "count")}),
    ("organizations", _l("%(n)s social organizations take part in caring for children"),
     {"n": ("helpers.organizations", "count")}),
    ("hours", _l("%(v)s volunteers served %(h)s hours"),
     {"v": ("helpers.volunteers", "count"), "h": ("helpers.hours", "hours")}),
    ("raised", _l("donations of %(amount)s yuan were received"), {"amount": ("money.raised", "money")}),
    ("paid", _l("%(children)s children received %(amount)s yuan"),
     {"children": ("money.children_paid", "count"), "amount": ("money.spent", "money")}),
    ("clues", _l("%(found)s clues were found, %(transferred)s transferred and %(helped)s children helped"),
     {"found": ("clues.found", "count"), "transferred": ("clues.transferred", "count"),
      "helped": ("clues.helped", "count")}),
]


def formatted(value, unit: str) -> str:
    """A figure as the bureaus write it: "1,029", "97.5", "219,150" (yuan), "–" when unknown."""
    if value is None:
        return "–"
    if unit == "money":
        return yuan(int(value))
    if unit in ("percent", "hours"):
        return f"{value:,.1f}".removesuffix(".0")
    return f"{int(value):,}"


@dataclass
class Sentence:
    key: str
    message: object  # a lazy translatable string with %(name)s placeholders
    figures: dict[str, tuple[str, Figure]]  # placeholder → (formatted value, figure)

    def text(self) -> str:
        return str(self.message) % {name: shown for name, (shown, _f) in self.figures.items()}

    def html(self, href) -> Markup:
        """The sentence with each figure a link to its table; ``href(table_key)`` gives the URL."""
        links = {name: Markup('<a href="{}">{}</a>').format(href(figure.table), shown)
                 for name, (shown, figure) in self.figures.items()}
        return Markup(escape(str(self.message))) % links

    @property
    def tables(self) -> list[str]:
        return list(dict.fromkeys(figure.table for _shown, figure in self.figures.values()))


def write_sentences(figures: dict[str, Figure]) -> list[Sentence]:
    """Every sentence form whose figures the dashboard has (a panel not built leaves its out)."""
    out = []
    for key, message, wanted in FORMS:
        if all(name in figures for name, _unit in wanted.values()):
            out.append(Sentence(key, message, {
                placeholder: (formatted(figures[name].value, unit), figures[name])
                for placeholder, (name, unit) in wanted.items()}))
    return out
