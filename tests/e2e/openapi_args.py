"""Arguments that satisfy a tool's input schema, from the schema alone: every argument of the tool, and inside
them the smallest instance (required members only, the first of each enum or alternative, bounds respected), so a
call exercises every parameter of the request mcpgen builds. Local `$ref`s (`#/$defs/X`) are followed."""

from __future__ import annotations

FORMATS = {
    "date-time": "2024-01-02T03:04:05Z",
    "date": "2024-01-02",
    "time": "03:04:05Z",
    "email": "user@example.com",
    "uri": "https://example.com/a",
    "url": "https://example.com/a",
    "uuid": "123e4567-e89b-12d3-a456-426614174000",
    "ipv4": "192.0.2.1",
    "hostname": "example.com",
}


def instance(schema, root: dict, depth: int = 0):
    if schema is True or not isinstance(schema, dict):
        return "x"
    if depth > 12:
        return None
    if "$ref" in schema:
        target = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            if part:
                target = target[part.replace("~1", "/").replace("~0", "~")]
        merged = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
        return instance(merged, root, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return next((v for v in schema["enum"] if v is not None), schema["enum"][0])
    if "allOf" in schema:
        merged = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            part = resolve(part, root)
            merged["properties"] = {**merged.get("properties", {}), **part.get("properties", {})}
            merged["required"] = [*merged.get("required", []), *part.get("required", [])]
            for key, value in part.items():
                merged.setdefault(key, value)
        return instance(merged, root, depth + 1)
    for alternatives in ("oneOf", "anyOf"):
        if alternatives in schema:
            options = [o for o in schema[alternatives] if resolve(o, root).get("type") != "null"]
            rest = {k: v for k, v in schema.items() if k != alternatives}
            return instance({**rest, **resolve(options[0], root)}, root, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((t for t in kind if t != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "string"
    if kind == "object":
        properties = schema.get("properties", {})
        # At the root (a tool's arguments: one per parameter, and the body) every property, so that optional
        # query, header and path parameters are sent too; deeper, the required ones.
        # Optional objects are left out there: a query or header object is sent as JSON text, which the importer
        # reports as lossy (OpenAPI spreads its members).
        required = schema.get("required", [])
        names = [n for n in properties if n in required or (depth == 0 and not is_object(properties[n], root))]
        return {name: instance(properties.get(name, {}), root, depth + 1) for name in names}
    if kind == "array":
        # A list argument gets an item, so a list parameter is sent (`tags=a`).
        count = max(schema.get("minItems", 0), 1 if depth == 1 else 0)
        return [instance(schema.get("items", {}), root, depth + 1) for _ in range(count)]
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum", 1))
        value = low + 1 if "exclusiveMinimum" in schema else max(low, 1)
        high = schema.get("maximum", schema.get("exclusiveMaximum"))
        if high is not None and value > high:
            value = high
        return int(value) if kind == "integer" else value
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    for key in ("examples", "example"):
        example = schema.get(key)
        if isinstance(example, list) and example and isinstance(example[0], str):
            return example[0]
        if isinstance(example, str) and "pattern" in schema:
            return example
    text = FORMATS.get(schema.get("format", ""), "abc")
    return (text * 8)[: max(schema.get("minLength", 0), min(len(text), schema.get("maxLength", len(text))))]


def is_object(schema, root: dict) -> bool:
    """The schema, or one of its anyOf/oneOf alternatives, is an object."""
    schema = resolve(schema, root)
    kind = schema.get("type")
    alternatives = [*schema.get("anyOf", []), *schema.get("oneOf", [])]
    return (kind == "object" or (isinstance(kind, list) and "object" in kind)
            or any(is_object(a, root) for a in alternatives))


def resolve(schema, root: dict) -> dict:
    while isinstance(schema, dict) and "$ref" in schema:
        target = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            if part:
                target = target[part.replace("~1", "/").replace("~0", "~")]
        schema = target
    return schema if isinstance(schema, dict) else {}
