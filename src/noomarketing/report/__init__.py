"""The HTML report: what each segment wants and what to offer it, in one self-contained file.

``noomarketing report DIR`` (or ``run ... --report``) writes ``DIR/report.html``; from Python,
:func:`write_report` takes a result or an output folder.
"""

from noomarketing.report.data import ReportData
from noomarketing.report.render import REPORT_NAME, render_report, write_report

__all__ = ["REPORT_NAME", "ReportData", "render_report", "write_report"]
