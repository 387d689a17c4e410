from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from catalog import search, tools
from catalog.models import GENRES, Demographic


class SearchQuery(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    genre = serializers.ChoiceField(choices=GENRES, required=False)
    demographic = serializers.ChoiceField(choices=Demographic.values, required=False)
    in_stock = serializers.BooleanField(required=False, allow_null=True, default=None)
    min_price = serializers.IntegerField(required=False, min_value=0)
    max_price = serializers.IntegerField(required=False, min_value=0)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=50, default=10)

    def validate(self, data):
        filtered = any(data.get(k) is not None for k in ("genre", "demographic", "in_stock", "min_price", "max_price"))
        if not data["q"].strip() and not filtered:
            raise serializers.ValidationError("Give a search text (q) or at least one filter.")
        return data


class ProductOut(serializers.Serializer):
    sku = serializers.CharField()
    volume = serializers.IntegerField(allow_null=True)
    edition = serializers.CharField()
    price_jpy = serializers.IntegerField()
    stock = serializers.IntegerField()
    in_stock = serializers.BooleanField()


class SeriesOut(serializers.Serializer):
    id = serializers.IntegerField(source="manga_id")
    slug = serializers.CharField()
    title_ja = serializers.CharField()
    title_en = serializers.CharField()
    author = serializers.CharField()
    author_en = serializers.CharField()
    demographic = serializers.CharField()
    genres = serializers.ListField(child=serializers.CharField())
    total_volumes = serializers.IntegerField()
    status = serializers.CharField()
    rare = serializers.BooleanField()
    score = serializers.FloatField()
    products = ProductOut(many=True)


@extend_schema(
    parameters=[
        OpenApiParameter("q", OpenApiTypes.STR, description="title, author or description, Japanese or English"),
        OpenApiParameter("genre", OpenApiTypes.STR, enum=list(GENRES)),
        OpenApiParameter("demographic", OpenApiTypes.STR, enum=Demographic.values),
        OpenApiParameter("in_stock", OpenApiTypes.BOOL),
        OpenApiParameter("min_price", OpenApiTypes.INT),
        OpenApiParameter("max_price", OpenApiTypes.INT),
        OpenApiParameter("limit", OpenApiTypes.INT, description="1 to 50, default 10"),
    ],
    responses={200: SeriesOut(many=True)},
)
@api_view(["GET"])
@permission_classes([AllowAny])
def catalog_search(request):
    """Search the catalog: series with their products, prices and stock, best match first."""
    query = SearchQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    data = query.validated_data
    filters = search.Filters(genre=data.get("genre"), demographic=data.get("demographic"),
                             in_stock=data.get("in_stock"), min_price=data.get("min_price"),
                             max_price=data.get("max_price"))
    hits = tools.series_hits(search.search(data["q"], filters, data["limit"]))
    return Response({"results": SeriesOut(hits, many=True).data})
