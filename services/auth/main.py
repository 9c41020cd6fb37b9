from auth import handlers, oauth, tables
from auth.settings import Settings
from smartbank.service import Service

service = Service(
    name="auth", routers=[handlers.router, oauth.router], tables=tables.ALL, settings=Settings
)
