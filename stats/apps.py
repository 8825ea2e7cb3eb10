from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    """The nightly statistics (coverage, compliance, ratings, warnings). Its
    result tables are still declared in orgs.models, where their migrations
    live; this app computes and shows them. Its own tables (stats.models)
    hold what the parts of a run have computed until the final step publishes it."""

    name = "stats"
    verbose_name = _("统计与预警")
