import ServiceKit

/// The OpenAPI 3.1 description of the traffic port, served at `GET /openapi.json`.
///
/// Plain JSON in a raw string, so it reads and diffs like the file it is. When you add, remove or change a
/// route, change it here too: `OpenAPIDocumentTests` fails while a routed method and path is missing from
/// `paths` (or documented but not routed), and `scripts/schemathesis.sh` checks the running server's answers
/// against the schemas below.
enum OpenAPIDocument {
    static let json = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "service",
            "version": "1.0.0",
            "description": "The template's example items API and its probes. Every error body is an RFC 9457 problem (`application/problem+json`) whose `request_id` is also sent in the `X-Request-ID` response header; a well-formed `X-Request-ID` request header (1 to 128 unreserved characters) is used instead of a generated id."
          },
          "tags": [
            {"name": "items", "description": "The example resource: replace it with yours."},
            {"name": "probes", "description": "Kubernetes liveness and readiness (failure reasons are withheld on this port)."},
            {"name": "meta", "description": "This document."}
          ],
          "paths": {
            "/items": {
              "get": {
                "tags": ["items"],
                "operationId": "listItems",
                "summary": "List items in ascending id order, one page at a time (keyset pagination).",
                "parameters": [
                  {
                    "name": "limit", "in": "query", "description": "Page size.",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}
                  },
                  {
                    "name": "after", "in": "query", "description": "Only items with a greater id: the previous page's `next_after`.",
                    "schema": {"type": "integer", "format": "int64", "minimum": 0, "maximum": 9223372036854775807, "default": 0}
                  }
                ],
                "responses": {
                  "200": {"description": "One page.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ItemPage"}}}},
                  "400": {"$ref": "#/components/responses/BadRequest"},
                  "414": {"$ref": "#/components/responses/URITooLong"},
                  "500": {"$ref": "#/components/responses/InternalServerError"},
                  "503": {"$ref": "#/components/responses/ServiceUnavailable"}
                }
              },
              "post": {
                "tags": ["items"],
                "operationId": "createItem",
                "summary": "Create an item.",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ItemInput"}}}},
                "responses": {
                  "201": {
                    "description": "Created.",
                    "headers": {"Location": {"description": "The new item's path.", "required": true, "schema": {"type": "string"}}},
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}
                  },
                  "400": {"$ref": "#/components/responses/BadRequest"},
                  "409": {"$ref": "#/components/responses/Conflict"},
                  "413": {"$ref": "#/components/responses/ContentTooLarge"},
                  "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
                  "422": {"$ref": "#/components/responses/UnprocessableContent"},
                  "500": {"$ref": "#/components/responses/InternalServerError"},
                  "503": {"$ref": "#/components/responses/ServiceUnavailable"}
                }
              }
            },
            "/items/{id}": {
              "parameters": [{"$ref": "#/components/parameters/ItemID"}],
              "get": {
                "tags": ["items"],
                "operationId": "getItem",
                "summary": "Get one item.",
                "responses": {
                  "200": {"description": "The item.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}},
                  "400": {"$ref": "#/components/responses/BadRequest"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "414": {"$ref": "#/components/responses/URITooLong"},
                  "500": {"$ref": "#/components/responses/InternalServerError"},
                  "503": {"$ref": "#/components/responses/ServiceUnavailable"}
                }
              },
              "put": {
                "tags": ["items"],
                "operationId": "replaceItem",
                "summary": "Replace an item's name and price.",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ItemInput"}}}},
                "responses": {
                  "200": {"description": "The updated item.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}},
                  "400": {"$ref": "#/components/responses/BadRequest"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "409": {"$ref": "#/components/responses/Conflict"},
                  "413": {"$ref": "#/components/responses/ContentTooLarge"},
                  "414": {"$ref": "#/components/responses/URITooLong"},
                  "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
                  "422": {"$ref": "#/components/responses/UnprocessableContent"},
                  "500": {"$ref": "#/components/responses/InternalServerError"},
                  "503": {"$ref": "#/components/responses/ServiceUnavailable"}
                }
              },
              "delete": {
                "tags": ["items"],
                "operationId": "deleteItem",
                "summary": "Delete an item.",
                "responses": {
                  "204": {"description": "Deleted."},
                  "400": {"$ref": "#/components/responses/BadRequest"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "414": {"$ref": "#/components/responses/URITooLong"},
                  "500": {"$ref": "#/components/responses/InternalServerError"},
                  "503": {"$ref": "#/components/responses/ServiceUnavailable"}
                }
              }
            },
            "/livez": {
              "get": {
                "tags": ["probes"],
                "operationId": "livez",
                "summary": "Liveness: should the kubelet restart this process? Only checks of the process itself.",
                "parameters": [{"$ref": "#/components/parameters/Verbose"}, {"$ref": "#/components/parameters/Exclude"}],
                "responses": {
                  "200": {"$ref": "#/components/responses/ProbePassed"},
                  "414": {"$ref": "#/components/responses/URITooLong"},
                  "503": {"$ref": "#/components/responses/ProbeFailed"}
                }
              }
            },
            "/livez/{check}": {
              "get": {
                "tags": ["probes"],
                "operationId": "livezCheck",
                "summary": "One liveness check.",
                "parameters": [
                  {"$ref": "#/components/parameters/LivenessCheck"}, {"$ref": "#/components/parameters/Verbose"}, {"$ref": "#/components/parameters/Exclude"}
                ],
                "responses": {
                  "200": {"$ref": "#/components/responses/ProbePassed"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "414": {"$ref": "#/components/responses/URITooLong"},
                  "503": {"$ref": "#/components/responses/ProbeFailed"}
                }
              }
            },
            "/readyz": {
              "get": {
                "tags": ["probes"],
                "operationId": "readyz",
                "summary": "Readiness: should traffic come here? Red during startup, from the first moment of termination, and while a dependency check fails.",
                "parameters": [{"$ref": "#/components/parameters/Verbose"}, {"$ref": "#/components/parameters/Exclude"}],
                "responses": {
                  "200": {"$ref": "#/components/responses/ProbePassed"},
                  "414": {"$ref": "#/components/responses/URITooLong"},
                  "503": {"$ref": "#/components/responses/ProbeFailed"}
                }
              }
            },
            "/readyz/{check}": {
              "get": {
                "tags": ["probes"],
                "operationId": "readyzCheck",
                "summary": "One readiness check.",
                "parameters": [
                  {"$ref": "#/components/parameters/ReadinessCheck"}, {"$ref": "#/components/parameters/Verbose"}, {"$ref": "#/components/parameters/Exclude"}
                ],
                "responses": {
                  "200": {"$ref": "#/components/responses/ProbePassed"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "414": {"$ref": "#/components/responses/URITooLong"},
                  "503": {"$ref": "#/components/responses/ProbeFailed"}
                }
              }
            },
            "/openapi.json": {
              "get": {
                "tags": ["meta"],
                "operationId": "openAPIDocument",
                "summary": "This document.",
                "responses": {
                  "200": {
                    "description": "The OpenAPI document.",
                    "content": {"application/json": {"schema": {"type": "object", "required": ["openapi", "paths"]}}}
                  },
                  "503": {"$ref": "#/components/responses/ServiceUnavailable"}
                }
              }
            }
          },
          "components": {
            "schemas": {
              "Price": {
                "type": "number",
                "minimum": 0,
                "maximum": 9999999999.99,
                "multipleOf": 0.01,
                "description": "An exact decimal, stored as numeric(12,2): at most 10 integer and 2 fraction digits, never negative. A JSON number both ways (a JSON string is refused); responses always write two fraction digits (12.50). It is never rounded: read it as a decimal, not a binary float, when cents matter.",
                "examples": [12.5]
              },
              "ItemName": {
                "type": "string",
                "minLength": 1,
                "maxLength": 200,
                "pattern": "^[^\\u0000]*$",
                "description": "1 to 200 characters (Unicode code points, as PostgreSQL counts them); NUL is not allowed. Unique.",
                "examples": ["teapot"]
              },
              "ItemInput": {
                "type": "object",
                "required": ["name", "price"],
                "properties": {"name": {"$ref": "#/components/schemas/ItemName"}, "price": {"$ref": "#/components/schemas/Price"}}
              },
              "Item": {
                "type": "object",
                "required": ["id", "name", "price"],
                "properties": {
                  "id": {"type": "integer", "format": "int64", "minimum": 1},
                  "name": {"$ref": "#/components/schemas/ItemName"},
                  "price": {"$ref": "#/components/schemas/Price"}
                }
              },
              "ItemPage": {
                "type": "object",
                "required": ["items", "next_after"],
                "properties": {
                  "items": {"type": "array", "maxItems": 100, "items": {"$ref": "#/components/schemas/Item"}},
                  "next_after": {
                    "type": ["integer", "null"],
                    "format": "int64",
                    "description": "The `after` of the next page; null when this page is not full (the last one)."
                  }
                }
              },
              "FramingProblem": {
                "type": "object",
                "description": "RFC 9457 problem details for a request refused while it was read, before it had an id.",
                "required": ["type", "title", "status"],
                "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer", "minimum": 400, "maximum": 599}}
              },
              "Problem": {
                "type": "object",
                "description": "RFC 9457 problem details.",
                "required": ["type", "title", "status", "request_id"],
                "properties": {
                  "type": {"type": "string"},
                  "title": {"type": "string"},
                  "status": {"type": "integer", "minimum": 400, "maximum": 599},
                  "detail": {"type": "string", "description": "Safe to show; never internal detail."},
                  "request_id": {"type": "string", "description": "Quote it to the operators: the logs carry it."},
                  "errors": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "required": ["field", "message"],
                      "properties": {"field": {"type": "string"}, "message": {"type": "string"}}
                    }
                  }
                }
              }
            },
            "parameters": {
              "ItemID": {
                "name": "id", "in": "path", "required": true,
                "schema": {"type": "integer", "format": "int64", "minimum": 1, "maximum": 9223372036854775807}
              },
              "LivenessCheck": {
                "name": "check", "in": "path", "required": true, "description": "A liveness check's name.",
                "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]+$", "examples": ["eventloops", "pool"]}
              },
              "ReadinessCheck": {
                "name": "check", "in": "path", "required": true, "description": "A readiness check's name.",
                "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]+$", "examples": ["startup", "shutdown", "database", "schema"]}
              },
              "Verbose": {
                "name": "verbose", "in": "query", "description": "Present (with any value or none): a plain-text report, one line per check.",
                "schema": {"type": "string"}
              },
              "Exclude": {
                "name": "exclude", "in": "query", "description": "A check to leave out; repeat it for more.",
                "style": "form", "explode": true, "schema": {"type": "array", "items": {"type": "string"}}
              }
            },
            "headers": {
              "RetryAfter": {"description": "Seconds to wait before retrying.", "required": true, "schema": {"type": "string", "pattern": "^[0-9]+$"}}
            },
            "responses": {
              "ProbePassed": {
                "description": "Every selected check passed.",
                "content": {
                  "application/json": {
                    "schema": {"type": "object", "required": ["status"], "properties": {"status": {"const": "ok"}}}
                  },
                  "text/plain": {"schema": {"type": "string"}, "example": "[+]database ok\nreadyz check passed\n"}
                }
              },
              "ProbeFailed": {
                "description": "A selected check failed.",
                "content": {
                  "application/json": {
                    "schema": {"type": "object", "required": ["status"], "properties": {"status": {"const": "failed"}}}
                  },
                  "text/plain": {"schema": {"type": "string"}, "example": "[-]database failed: reason withheld\nreadyz check failed\n"}
                }
              },
              "BadRequest": {
                "description": "Malformed: a body that is not JSON or has a wrong type, a bad query or path parameter, or an undecodable path.",
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
              },
              "NotFound": {
                "description": "No such resource.",
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
              },
              "Conflict": {
                "description": "Another item has this name.",
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
              },
              "URITooLong": {
                "description": "The request target is longer than HTTP_MAX_TARGET_BYTES: refused before routing (no request id), the connection closed.",
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/FramingProblem"}}}
              },
              "ContentTooLarge": {
                "description": "The body is larger than HTTP_MAX_BODY_BYTES; the connection is closed."
              },
              "UnsupportedMediaType": {
                "description": "The body is not sent as `application/json`.",
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
              },
              "UnprocessableContent": {
                "description": "Well-formed JSON with invalid values: `errors` lists each field.",
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
              },
              "ServiceUnavailable": {
                "description": "No database connection became free in time, or the server is shutting down: retry, here or elsewhere.",
                "headers": {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}},
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
              },
              "InternalServerError": {
                "description": "An unexpected failure, logged with the request id.",
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
              }
            }
          }
        }
        """#

    /// The document's bytes, as served.
    static let bytes = Array(json.utf8)
}
