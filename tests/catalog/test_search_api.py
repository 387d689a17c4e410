def test_it_returns_series_with_products_stock_and_price(client, catalog_data):
    response = client.get("/api/v1/catalog/search", {"q": "進撃の巨人", "limit": 3})
    assert response.status_code == 200
    first = response.json()["results"][0]
    assert first["slug"] == "attack-on-titan" and first["title_en"] == "Attack on Titan"
    product = first["products"][0]
    assert {"sku", "price_jpy", "stock", "in_stock"} <= product.keys()


def test_it_filters_by_genre(client, catalog_data):
    response = client.get("/api/v1/catalog/search", {"genre": "sports", "in_stock": "true"})
    assert response.status_code == 200
    assert all("sports" in s["genres"] for s in response.json()["results"])


def test_it_refuses_bad_parameters_with_a_message(client, catalog_data):
    assert "genre" in client.get("/api/v1/catalog/search", {"q": "x", "genre": "space"}).json()["errors"]
    assert client.get("/api/v1/catalog/search", {"q": "x", "limit": 0}).status_code == 400
    empty = client.get("/api/v1/catalog/search")
    assert empty.status_code == 400 and "search text" in str(empty.json())


def test_it_refuses_a_price_range_upside_down(client, db):
    response = client.get("/api/v1/catalog/search", {"q": "naruto", "min_price": 900, "max_price": 500})
    assert response.status_code == 400 and "min_price is above max_price" in str(response.json())


def test_the_openapi_schema_documents_the_parameters_and_the_result_shape(client, db):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/catalog/search"]["get"]
    parameters = {p["name"]: p["schema"] for p in operation["parameters"]}
    assert parameters["limit"]["minimum"] == 1 and parameters["limit"]["maximum"] == 50
    assert "sports" in parameters["genre"]["enum"] and "seinen" in parameters["demographic"]["enum"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/SearchResults")
    assert "400" in operation["responses"]
