"""The agency's records: the request workflow (plain Python rules) and, from the records,
the annual report (compile)."""
