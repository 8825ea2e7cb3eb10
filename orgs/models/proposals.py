"""A secretary's proposed change to their organization's facts or to an
enterprise it covers, which street (or district) staff confirm or reject.
Nothing changes on the record until it is confirmed, and then through the
same service a staff edit uses (orgs.proposals)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .enterprises import Enterprise
from .organizations import PartyOrganization


class ChangeProposal(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待确认")
        CONFIRMED = "confirmed", _("已采纳")
        REJECTED = "rejected", _("已退回")

    # The organization the secretary acts for; with `enterprise` empty, the
    # proposal is about the organization itself.
    organization = models.ForeignKey(
        PartyOrganization, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="change_proposals"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="change_proposals",
    )
    # Only the changed fields: {field: value as JSON keeps it}; `before` holds
    # each one's value when proposed, so a confirmation sees whether the
    # record changed since. A phone number is kept encrypted in both.
    values = models.JSONField(_("建议修改为"), default=dict)
    before = models.JSONField(_("提出时的原值"), default=dict)
    reason = models.TextField(_("修改原因"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_note = models.TextField(_("处理说明"), blank=True)

    class Meta:
        verbose_name = _("修改建议")
        verbose_name_plural = _("修改建议")
        ordering = ["proposed_at", "pk"]
        indexes = [models.Index(fields=["status", "proposed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True) | Q(decided_at__isnull=False),
                name="proposal_decided_when_not_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target} · {self.get_status_display()}"

    @property
    def target(self) -> Enterprise | PartyOrganization:
        return self.enterprise if self.enterprise_id else self.organization
