"""Rewards a child spends its balance on, savings goals, and the weekly or monthly allowance."""
