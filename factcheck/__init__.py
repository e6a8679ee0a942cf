"""Claims checked against the figures Alibaba reported: the reference table and the verdicts."""
