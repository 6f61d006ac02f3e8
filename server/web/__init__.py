"""The HTTP side: routes, request validation, errors and the OpenAPI document."""
