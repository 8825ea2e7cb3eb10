"""Warnings worked as tasks (DESIGN.md §10): each step taken on a warning,
and the 整顿 plans of organizations in trouble."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.files import random_file_name
from core.i18n import say
from core.models import WorkflowStep

from .organizations import PartyOrganization
from .statistics import Alert


def evidence_path(instance: "AlertStep", filename: str) -> str:
    name = random_file_name(filename, extensions={"pdf", "jpg", "png", "gif", "webp", "bmp", "ofd"})
    return f"alerts/{instance.alert_id}/{name}"


class AlertStep(WorkflowStep):
    """One step in a warning's history: who did what, when, with which note."""

    class Action(models.TextChoices):
        ASSIGN = "assign", _("督办")
        RESPOND = "respond", _("反馈")
        CLOSE = "close", _("解除")
        REOPEN = "reopen", _("退回")
        AUTO_CLOSE = "auto_close", _("自动解除")
        ESCALATE = "escalate", _("逾期升级")

    alert = models.ForeignKey(Alert, verbose_name=_("预警"), on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("操作"), max_length=12, choices=Action.choices)
    # None for a step the nightly run takes.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The state before the step: a second nightly run on one date undoes its own steps with it.
    from_state = models.CharField(_("原状态"), max_length=12, choices=Alert.State.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("办理期限"), null=True, blank=True)
    evidence = models.FileField(_("佐证材料"), upload_to=evidence_path, blank=True)
    evidence_name = models.CharField(_("材料原文件名"), max_length=255, blank=True)
    on = models.DateField(_("计算日期"), null=True, blank=True, help_text=_("夜间计算所记步骤的日期"))

    class Meta(WorkflowStep.Meta):
        verbose_name = _("预警办理记录")
        verbose_name_plural = _("预警办理记录")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"

    @property
    def text(self) -> str:
        """The note; the nightly run's own notes in the reader's language."""
        return say(self.note) if self.by_id is None else self.note


class RectificationPlan(models.Model):
    """整顿: a plan with dated steps for an organization in trouble."""

    class Reason(models.TextChoices):
        WEAK = "weak", _("软弱涣散")
        PARALYSED = "paralysed", _("瘫痪边缘")
        OTHER = "other", _("其他问题")

    organization = models.ForeignKey(
        PartyOrganization, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="rectification_plans"
    )
    reason = models.CharField(_("整顿原因"), max_length=12, choices=Reason.choices)
    title = models.CharField(_("整顿事项"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("制定人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("制定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("整顿计划")
        verbose_name_plural = _("整顿计划")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class RectificationStep(models.Model):
    plan = models.ForeignKey(
        RectificationPlan, verbose_name=_("整顿计划"), on_delete=models.CASCADE, related_name="steps"
    )
    title = models.CharField(_("步骤"), max_length=200)
    due_on = models.DateField(_("完成期限"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("整顿步骤")
        verbose_name_plural = _("整顿步骤")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.title
