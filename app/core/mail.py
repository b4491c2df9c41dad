"""Outgoing mail through an async SMTP client (aiosmtplib).

Mail is optional: with `Settings.smtp_host` unset nothing is sent. Sending never
raises to the caller: a mail server that is down must not break the request that
wanted to notify someone, so failures are logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.message import EmailMessage

import aiosmtplib

from app.core.config import Settings

log = logging.getLogger(__name__)

SEND_TIMEOUT = 20  # seconds


@dataclass(frozen=True, slots=True)
class Mail:
    to: str
    subject: str
    text: str


def mail_enabled(settings: Settings) -> bool:
    return bool(settings.smtp_host)


def build_message(settings: Settings, mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.text)
    return message


async def send_mail(settings: Settings, mail: Mail) -> bool:
    """Send one mail; returns False (and logs) when mail is disabled or the server fails."""
    if not mail_enabled(settings):
        return False
    # Port 465 speaks TLS from the first byte; other ports upgrade with STARTTLS when asked.
    implicit_tls = settings.smtp_tls and settings.smtp_port == 465
    try:
        await aiosmtplib.send(
            build_message(settings, mail),
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_user or None,
            password=settings.smtp_password or None,
            use_tls=implicit_tls,
            start_tls=True if settings.smtp_tls and not implicit_tls else False,
            timeout=SEND_TIMEOUT,
        )
    except (aiosmtplib.SMTPException, OSError) as exc:
        log.warning("could not send mail %r to %s: %s", mail.subject, mail.to, exc)
        return False
    return True


async def send_all(settings: Settings, mails: list[Mail]) -> None:
    for mail in mails:
        await send_mail(settings, mail)
