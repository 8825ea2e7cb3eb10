from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    """Large exports as long jobs (DESIGN.md §11): a spreadsheet past
    settings.EXPORT_INLINE_MAX_ROWS is written by a task, and the page shows
    its progress and then a download link that expires. It stands just above
    core: the apps register their exports here (exports.registry), so the
    job, its task and its pages know nothing of what they export."""

    name = "exports"
    verbose_name = _("导出")

    def ready(self) -> None:
        from core import jobs

        from .services import export_sweep

        jobs.register_sweeper("exports", export_sweep)
