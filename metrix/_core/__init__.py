"""The kernel of metrix.

States with declared reduce ops, Metric, merge, sync, value checks, the stateful module
adapter and collections. See ``README.md`` in this folder for the design.
"""
