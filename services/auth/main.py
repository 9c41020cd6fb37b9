from auth import handlers, tables
from auth.settings import Settings
from smartbank.service import Service

service = Service(name="auth", routers=[handlers.router], tables=tables.ALL, settings=Settings)
