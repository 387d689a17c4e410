from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from mangaassist import health

admin.site.site_header = _("MangaAssist administration")
admin.site.site_title = _("MangaAssist administration")
admin.site.index_title = _("Store support")

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("metrics", health.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("", include("catalog.urls")),
    path("", include("prompts.urls")),
    path("", include("reviews.urls")),
    path("", include("feedback.urls")),
    path("", include("chat.urls")),
]

# Under /api/ errors are JSON `{code, detail}` like every DRF error; elsewhere the usual pages.
handler400 = "common.api.bad_request"
handler403 = "common.api.permission_denied"
handler404 = "common.api.page_not_found"
handler500 = "common.api.server_error"
