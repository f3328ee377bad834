"""The OpenAPI document lists every API route the app serves."""

from __future__ import annotations


def test_document_lists_the_contract(client, app):
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    for path, method in (
        ("/api/v1/auth/login", "post"),
        ("/api/v1/indicators", "get"),
        ("/api/v1/t/{code}/organs", "get"),
        ("/api/v1/t/{code}/values", "get"),
        ("/api/v1/me", "get"),
        ("/api/v1/auth/tokens", "post"),
    ):
        assert method in doc["paths"][path], path
    values = doc["paths"]["/api/v1/t/{code}/values"]["get"]
    assert "evaluator" not in values["x-roles"] and values["x-ancestors"] == "if_granted"
    api_rules = {r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1")}
    assert len(doc["paths"]) == len(api_rules)
