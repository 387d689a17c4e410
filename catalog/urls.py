from django.urls import path

from catalog import api

urlpatterns = [path("api/v1/catalog/search", api.catalog_search, name="catalog-search")]
