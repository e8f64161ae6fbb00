"""Two versions of a small OpenAPI spec: the second removes a path and a response field."""

from __future__ import annotations

OLD = """\
openapi: 3.0.3
info: {title: Orders, version: "1"}
paths:
  /orders:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  id: {type: string}
                  total: {type: number}
  /orders/{id}:
    delete:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "204": {description: gone}
"""

NEW = """\
openapi: 3.0.3
info: {title: Orders, version: "2"}
paths:
  /orders:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  id: {type: string}
"""

COMPATIBLE = OLD.replace('version: "1"', 'version: "1.1"')
