"""Reading published reports: bytes → Document (one reader per file type) → Report
(one locator for all)."""
