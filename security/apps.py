from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "security"
    verbose_name = _("安全与审计")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the token revocations)
        from .exports import register_security_exports

        register_security_exports()
