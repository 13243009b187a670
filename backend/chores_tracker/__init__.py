"""Chores Tracker: a family chores and allowance tracker."""

__version__ = "0.1.0"
