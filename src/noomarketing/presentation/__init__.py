"""Stage 3: present the generated ideas — a brief per segment and messages per channel.

Everything is rendered from Jinja2 templates (``presentation/templates``); put files with the
same names in your own folder and pass ``templates_dir`` to override any of them.
"""

from noomarketing.presentation.briefs import Brief, Message, md_escape, present, write_briefs
from noomarketing.presentation.sms import sms_length

__all__ = ["Brief", "Message", "md_escape", "present", "sms_length", "write_briefs"]
