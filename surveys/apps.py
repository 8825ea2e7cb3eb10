from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    """The annual survey import: reads a spreadsheet, writes enterprises,
    yearly surveys and the organizations the file names (DESIGN.md §3).
    It reads across the work apps and owns no tables of its own: its batches
    are orgs.ImportBatch."""

    name = "surveys"
    verbose_name = _("年度排查导入")

    def ready(self) -> None:
        from core import jobs
        from exports.registry import register

        from .batches import sweep_survey_batches
        from .export import ledger_export

        jobs.register_sweeper("survey_batches", sweep_survey_batches)
        register("survey_ledger", ledger_export)
