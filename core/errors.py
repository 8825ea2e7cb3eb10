"""Errors a service raises for the user to read (in Chinese)."""

from django.core.exceptions import ValidationError


class ApplicationError(ValidationError):
    """A rule of the domain said no. Views show the message; APIs answer 400."""
