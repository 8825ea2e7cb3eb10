"""What every server-rendered page shares: one page of a list, and a
service's refusal shown on the form that caused it."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PER_PAGE = 50


def paginate(request: HttpRequest, items: Any, per_page: int = PER_PAGE) -> Page:
    """The page `?page=` asks for; a page number out of range or not a number gives the nearest page."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def error_text(exc: ValidationError) -> str:
    """A service error as one line, for a message on a redirect."""
    return "；".join(str(m) for m in exc.messages)


def form_errors_from(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's error (ApplicationError or ValidationError) on the form:
    per field where the service named one the form has, else on the form itself."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        form.add_error(None, exc.messages)
