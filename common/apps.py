from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = _("Shared")


class AxesConfig(AxesAppConfig):
    """django-axes (login throttling) under a name the admin can show in Japanese; its labels are translated in the
    project's catalog (locale/), since axes ships no Japanese one."""

    verbose_name = _("Login attempts")

    def ready(self):
        super().ready()
        from axes.admin import AccessAttemptAdmin

        # a method column without a description: Django would print its name, untranslatable
        AccessAttemptAdmin.status.short_description = _("Status")
