"""The web service: one FastAPI app for the REST API (and, later, CDS Hooks and web pages).

`create_app(settings)` builds it; routers stay thin and call the workflow's service functions or
the core's `assess`. Errors are RFC 9457 problem documents.
"""

from lenaguard.service.app import create_app

__all__ = ["create_app"]
