"""What the webhook service answers the edge, which registers, lists and deletes webhooks."""

from __future__ import annotations

from smartbank.contracts import Contract


class Webhook(Contract):
    id: str
    account_id: str
    url: str


class SecretWebhook(Webhook):
    """A webhook as registered: with the secret that signs its deliveries, shown only then."""

    secret: str


class CreatedWebhook(Contract):
    webhook: SecretWebhook


class FoundWebhook(Contract):
    webhook: Webhook


class Webhooks(Contract):
    webhooks: list[Webhook]
