from smartbank.service import Service
from transactions import handlers, tables

service = Service(name="transactions", routers=[handlers.router], tables=tables.ALL)
