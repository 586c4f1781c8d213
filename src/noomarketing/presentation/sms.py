"""How long an SMS is, as phones count it.

An SMS holds 160 characters of the GSM-7 alphabet; ``^ { } \\ [ ~ ] | €`` take two. One
character outside GSM-7 (Polish or Cyrillic letters, curly quotes, an ellipsis, emoji) switches
the whole message to UCS-2, which holds 70 UTF-16 units. Longer messages are split and billed
as several, so stage 3 keeps every SMS within one.
"""

from __future__ import annotations

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")

SMS_GSM7_LIMIT = 160
SMS_UCS2_LIMIT = 70


def sms_length(text: str) -> tuple[int, int]:
    """``(length, limit)`` of ``text`` as a single SMS.

    >>> sms_length("Hello [you]")
    (13, 160)
    >>> sms_length("Cześć")
    (5, 70)
    """
    if all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text):
        return len(text) + sum(c in GSM7_EXTENDED for c in text), SMS_GSM7_LIMIT
    return len(text.encode("utf-16-le")) // 2, SMS_UCS2_LIMIT
