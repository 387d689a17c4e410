from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from catalog import search, tools
from catalog.models import GENRES, Demographic


class SearchQuery(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200, default="",
                              help_text="title, author or description, Japanese or English")
    genre = serializers.ChoiceField(choices=GENRES, required=False)
    demographic = serializers.ChoiceField(choices=Demographic.values, required=False)
    in_stock = serializers.BooleanField(required=False, allow_null=True, default=None,
                                        help_text="true: series with a product in stock; false: series with a sold-out product")
    min_price = serializers.IntegerField(required=False, min_value=0, help_text="yen; some product costs at least this")
    max_price = serializers.IntegerField(required=False, min_value=0, help_text="yen; some product costs at most this")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=50, default=10)

    def validate_q(self, value):
        from common.inputs import unsafe_text

        if unsafe_text(value):
            raise serializers.ValidationError("q contains a NUL character or an unpaired surrogate.")
        return value

    def validate(self, data):
        filtered = any(data.get(k) is not None for k in ("genre", "demographic", "in_stock", "min_price", "max_price"))
        if not data["q"].strip() and not filtered:
            raise serializers.ValidationError("Give a search text (q) or at least one filter.")
        if data.get("min_price") is not None and data.get("max_price") is not None \
                and data["min_price"] > data["max_price"]:
            raise serializers.ValidationError("min_price is above max_price.")
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


class SearchResults(serializers.Serializer):
    results = SeriesOut(many=True)


class BadRequest(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


@extend_schema(parameters=[SearchQuery], responses={200: SearchResults, 400: BadRequest}, tags=["catalog"])
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
