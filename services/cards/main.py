from cards import handlers, tables
from smartbank.service import Service

service = Service(name="cards", routers=[handlers.router], tables=tables.ALL)
