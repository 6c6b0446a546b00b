"""What the reporting app tells the others: an annual report was published in a workspace.

A signal rather than a call: reporting serves agencies with no office above them and must
not depend on the supervision app (which depends on it); whoever files publications
elsewhere listens. Sent once the publication is committed, so that nothing is filed for a
publication that was rolled back."""

from django.dispatch import Signal

report_published = Signal()  # sender=AnnualReport, row=the published AnnualReport
