"""The only tags and filters admin-written campaign content may use (campaigns/content.py)."""

from __future__ import annotations

from django import template
from django.template import defaultfilters, defaulttags

register = template.Library()

register.tag("if", defaulttags.do_if)
for name in ("default", "upper", "lower", "capfirst", "title"):
    register.filter(name, getattr(defaultfilters, name))
