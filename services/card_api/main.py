from card_api import handlers
from card_api.settings import Settings
from smartbank.service import Service

service = Service(name="card-api", routers=[handlers.router], settings=Settings)
