"""The HTML a customer sees while logging in, and the login email. Every value is escaped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

STYLE = """
body { font-family: system-ui, sans-serif; background: #f4f5f7; color: #14233c; margin: 0; }
main { max-width: 26rem; margin: 4rem auto; background: #fff; padding: 2rem;
       border-radius: 12px; box-shadow: 0 2px 12px rgba(20, 35, 60, .12); }
h1 { font-size: 1.3rem; margin-top: 0; }
p.note { color: #5b6b82; font-size: .9rem; }
input[type=email] { width: 100%; padding: .6rem; font-size: 1rem; box-sizing: border-box; }
button { width: 100%; padding: .7rem; margin-top: .6rem; font-size: 1rem; border: 0;
         border-radius: 8px; background: #ff4f40; color: #fff; cursor: pointer; }
button.customer { background: #14233c; text-align: left; }
button small { display: block; opacity: .75; }
"""


def layout(title: str, content: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · smartbank</title><style>{STYLE}</style></head>"
        f"<body><main><h1>{escape(title)}</h1>{content}</main></body></html>"
    )


def hidden_fields(fields: Mapping[str, str]) -> str:
    return "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
        for name, value in fields.items()
    )


def choose_page(
    client_name: str, fields: Mapping[str, str], customers: Sequence[Mapping[str, Any]]
) -> str:
    buttons = "".join(
        f'<button class="customer" type="submit" name="user_id" value="{escape(c["id"])}">'
        f"{escape(c['name'])}<small>{escape(c['email'] or c['id'])}</small></button>"
        for c in customers
    )
    content = (
        f"<p>{escape(client_name)} would like to see your accounts. Who are you?</p>"
        f'<form method="post" action="/oauth2/authorize">{hidden_fields(fields)}'
        f"{buttons or '<p class=note>There are no customers yet.</p>'}</form>"
    )
    return layout("Log in to smartbank", content)


def email_page(client_name: str, fields: Mapping[str, str]) -> str:
    content = (
        f"<p>{escape(client_name)} would like to see your accounts.</p>"
        f'<form method="post" action="/oauth2/authorize">{hidden_fields(fields)}'
        '<label for="email">Your email address</label>'
        '<input id="email" type="email" name="email" required autofocus>'
        '<button type="submit">Email me a login link</button></form>'
    )
    return layout("Log in to smartbank", content)


def check_email_page(email: str) -> str:
    content = (
        f"<p>If {escape(email)} belongs to a smartbank customer, we have sent it a login "
        "link. Follow it to carry on.</p><p class=note>The link works once, for a short time.</p>"
    )
    return layout("Check your email", content)


def link_page(client_name: str, token: str) -> str:
    content = (
        f"<p>{escape(client_name)} would like to see your accounts.</p>"
        f'<form method="post" action="/oauth2/authorize/link">{hidden_fields({"token": token})}'
        '<button type="submit">Log in</button></form>'
        "<p class=note>The link works once, for a short time.</p>"
    )
    return layout("Log in to smartbank", content)


def error_page(message: str) -> str:
    return layout("Something is wrong", f"<p>{escape(message)}</p>")


def login_mail(customer_name: str, client_name: str, link: str, minutes: int) -> tuple[str, str]:
    subject = "Your smartbank login link"
    body = (
        f"Hello {customer_name},\n\n"
        f"Follow this link to log in to {client_name} with smartbank:\n\n{link}\n\n"
        f"It works once, within {minutes} minutes. "
        "If you did not ask to log in, ignore this email.\n"
    )
    return subject, body
