"""Schemathesis hooks for scripts/schemathesis.sh (loaded through SCHEMATHESIS_HOOKS)."""

import schemathesis

# The methods the server implements (Sources/HTTPServer/HTTP/HTTPMethod.swift).
IMPLEMENTED_METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"}


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """Accepts 501 for a method the server does not implement (TRACE, QUERY ...), and nothing else.

    RFC 9110 section 9.1: an origin server answers a method it does not implement with 501 Not Implemented,
    and keeps 405 for a method it implements but the resource does not allow (HTTPRequestParserTests pins
    both). Schemathesis expects 405 for every method the document leaves out, so for implemented methods
    (PATCH, DELETE on /livez, ...) its check still applies: 405 with Allow.
    """
    return not (
        response is not None and response.status_code == 501 and case.method.upper() not in IMPLEMENTED_METHODS
    )
