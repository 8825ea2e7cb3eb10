"""Abstract models the apps share; no table of their own."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkflowStep(models.Model):
    """One step in a record's history: who did it, when, with which note.

    A subclass adds the record the step belongs to and its `action` (each
    workflow has its own choices), and overrides a field where its workflow
    differs (a step the nightly run takes has no person; a step without a
    note sets `note = None`). Its Meta inherits this one to keep the order."""

    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]
