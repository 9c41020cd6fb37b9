from api import accounts, cards, document, feed, pots, transactions, webhooks
from api.settings import Settings
from smartbank.service import Service

service = Service(
    name="api",
    routers=[
        accounts.router,
        transactions.router,
        feed.router,
        webhooks.router,
        pots.router,
        cards.router,
        document.router,
    ],
    settings=Settings,
    openapi_url=None,
)
