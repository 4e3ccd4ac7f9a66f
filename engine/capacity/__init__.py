"""Capacity of a department's week (SPEC §4, §6 "every retailer due is visited"):
how many minutes of service and riding the due visits need against what the visit
blocks hold (`figures`), the changes a market manager can accept to make them fit
(`proposal`), and the loop that proves the changes are enough (`fit`)."""
