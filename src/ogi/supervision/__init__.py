"""The supervising office's work: the region's tree of agencies, every report collected
and matched to its agency, timeliness, scoring by a rubric kept as data, ranking, peer
benchmarks and the office's 通报. Plain Python: the web app and the CLI call it."""
