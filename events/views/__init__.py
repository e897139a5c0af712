"""The questions users ask, answered from projection tables only (no replay of the log).

Every function takes `as_of` (valid time, default today) and `known_at` (transaction time,
default now); see docs/projections.md for what each answer means.
"""
