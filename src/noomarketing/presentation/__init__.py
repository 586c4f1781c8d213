"""Stage 3: present the generated ideas — a brief per segment and messages per channel.

Everything is rendered from Jinja2 templates (``presentation/templates``); put files with the
same names in your own folder and pass ``templates_dir`` to override any of them.
"""

from noomarketing.presentation.audience import customer_languages, main_language
from noomarketing.presentation.briefs import Brief, Message, md_escape, present, write_briefs
from noomarketing.presentation.sms import sms_length
from noomarketing.presentation.words import LANGUAGES, WORDS

__all__ = [
    "LANGUAGES",
    "WORDS",
    "Brief",
    "Message",
    "customer_languages",
    "main_language",
    "md_escape",
    "present",
    "sms_length",
    "write_briefs",
]
