"""Forms of the staff follow-up page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.validation import validate_plain_multiline_text
from surveys.filters import staff_with_role

COMMENT_MAX_LENGTH = 5000


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class AssignForm(forms.Form):
    assignee = StaffChoiceField(
        label=_("Assignee"),
        queryset=staff_with_role(),
        required=False,
        empty_label=_("Nobody"),
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_plain_multiline_text],
    )
