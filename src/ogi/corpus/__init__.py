"""Working over many reports: ground truth and accuracy, batch runs."""
