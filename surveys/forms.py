"""The public answer form: a score on the survey's scale and an optional comment."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.validation import validate_plain_multiline_text
from surveys import scoring

MAX_COMMENT = 5000


class AnswerForm(forms.Form):
    # Choices depend on the survey's kind; CharField refuses NUL characters by itself.
    score = forms.TypedChoiceField(label=_("Score"), coerce=int, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 5}),
        validators=[validate_plain_multiline_text],  # the model's rule, as a form error
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["score"].choices = [(score, str(score)) for score in scoring.scale(kind)]
        self.fields["score"].error_messages["invalid_choice"] = gettext(
            "Choose a score between %(low)s and %(high)s."
        ) % {"low": scoring.scale(kind)[0], "high": scoring.scale(kind)[-1]}
