from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    """The top floor: the workbench, dashboards, bulletin, the enterprise and
    organization pages and the navigation. It reads every floor below and
    writes nothing of its own."""

    name = "pages"
    verbose_name = _("工作台与看板")

    def ready(self) -> None:
        from .dashboard_exports import register_dashboard_exports

        register_dashboard_exports()
