"""Campaign emails written in admin: rendered in a sandbox, checked before they are saved.

Admins write subject, text and HTML per language with `{{ variable }}` and `{% if %}` only:
no other tag, no `{% load %}`, no attribute of anything (every value is a plain string or
number), autoescaping on in HTML. A variable that does not exist or a broken tag is a
validation error in admin, never a failure at send time.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.base import FilterExpression, Node, Variable, VariableNode
from django.template.defaulttags import IfNode
from django.utils.translation import gettext as _

# name: what it is (shown in admin next to the fields).
VARIABLES = {
    "first_name": "the contact's first name",
    "last_name": "the contact's last name",
    "account_name": "the contact's company",
    "years_as_customer": "whole years since the account's first customer day",
    "years_with_us": "the same in words of the email's language: “3 years”, “3 años”, “3 года”",
    "review_url": "the campaign's public review page (the same for every recipient)",
    "referral_url": "the contact's own referral page, where a peer leaves their details",
    "unsubscribe_url": "the one-click unsubscribe link",
    "preferences_url": "the link to the contact's email preferences",
}
CONTACT_VARIABLES = ("first_name", "last_name", "account_name", "years_as_customer")
SAMPLE = {
    "first_name": "Ana",
    "last_name": "García",
    "account_name": "Acme",
    "years_as_customer": 3,
    "years_with_us": "3 years",
    "review_url": "https://example.com/review",
    "referral_url": "https://example.com/r/…",
    "unsubscribe_url": "https://example.com/u/…",
    "preferences_url": "https://example.com/preferences/…",
}


SAMPLE_LINKS = {name: SAMPLE[name] for name in ("unsubscribe_url", "preferences_url")}


class SandboxEngine(Engine):
    default_builtins: list[str] = []  # not Django's tags and filters: only ours


ENGINE = SandboxEngine(
    builtins=["campaigns.templatetags.campaign_content"], libraries={}, autoescape=True
)


def variables_help() -> str:
    names = ", ".join(f"{{{{ {name} }}}}" for name in VARIABLES)
    return _("Variables: %(names)s. The only tag: {%% if %%}…{%% else %%}…{%% endif %%}.") % {
        "names": names
    }


MAX_LENGTH = 100_000  # characters per part: far more than any email needs


@functools.lru_cache(maxsize=256)  # each message renders the same few sources again
def compile_content(source: str) -> Template:
    return Template(source, engine=ENGINE)


def problems(source: str) -> list[str]:
    """Why `source` cannot be used, or [] when it can: it compiles, names only known
    variables, and renders with sample values (so it cannot fail at send time)."""
    if len(source) > MAX_LENGTH:
        return [_("Longer than %(count)d characters.") % {"count": MAX_LENGTH}]
    try:
        template = compile_content(source)
        unknown = sorted(set(_names(template.nodelist)) - set(VARIABLES))
        if not unknown:
            render(source, SAMPLE, html=True)
            render(source, SAMPLE, html=False)
    except TemplateSyntaxError as exc:
        return [_("Template error: %(error)s") % {"error": exc}]
    except RecursionError:
        return [_("Nested too deeply.")]
    return [
        _("Unknown variable “%(name)s”. The variables are: %(names)s.")
        % {"name": name, "names": ", ".join(VARIABLES)}
        for name in unknown
    ]


def uses(source: str, name: str) -> bool:
    """Whether `source` (content that passed `problems`) names the variable `name`."""
    try:
        return name in set(_names(compile_content(source).nodelist))
    except (TemplateSyntaxError, RecursionError):
        return False


def render(source: str, values: dict[str, Any], *, html: bool) -> str:
    """HTML comes back escaped and marked safe; text as a plain string that any page
    showing it must escape (Django marks every render safe, which text is not)."""
    rendered = compile_content(source).render(Context(values, autoescape=html))
    return rendered if html else str.__str__(rendered)


def _names(nodes: list[Node]) -> Iterator[str]:
    for node in nodes:
        if isinstance(node, VariableNode):
            yield from _expression_names(node.filter_expression)
        if isinstance(node, IfNode):
            for condition, nodelist in node.conditions_nodelists:
                yield from _condition_names(condition)
                yield from _names(nodelist)


def _condition_names(condition: Any) -> Iterator[str]:
    if condition is None:
        return
    value = getattr(condition, "value", None)
    if isinstance(value, FilterExpression):
        yield from _expression_names(value)
    for side in ("first", "second"):
        yield from _condition_names(getattr(condition, side, None))


def _expression_names(expression: FilterExpression) -> Iterator[str]:
    variables = [expression.var] + [
        arg for _func, args in expression.filters for is_var, arg in args if is_var
    ]
    for variable in variables:
        if isinstance(variable, Variable) and variable.lookups:
            # A dotted name reaches into a value: refuse it as an unknown variable.
            yield ".".join(variable.lookups)
