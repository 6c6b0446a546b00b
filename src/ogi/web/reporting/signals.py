"""What the reporting app tells the others: an annual report was published in a workspace.

A signal rather than a call: reporting serves agencies with no office above them and must
not depend on the supervision app (which depends on it); whoever files publications
elsewhere listens. Sent once the publication is committed, so that nothing is filed for a
publication that was rolled back."""

from django.dispatch import Signal

# sender=AnnualReport, row=the published AnnualReport, publication=the PublishedVersion that
# went up (number 1: the first publication; from 2: a corrected version, its reason with it).
report_published = Signal()
