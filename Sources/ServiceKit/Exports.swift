// An application imports ServiceKit alone: the types its routes, settings, checks and queries use come with it.
@_exported public import HTTPServer
@_exported public import Lifecycle
@_exported public import Observability
@_exported public import Postgres
