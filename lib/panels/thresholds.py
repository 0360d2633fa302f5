"""Threshold steps in Grafana's current form (grafanalib's Threshold writes the Angular-era shape)."""

from __future__ import annotations


def steps(base: str, *levels: tuple[float, str]) -> list[dict]:
    """`steps("green", (0.99, "yellow"), (0.999, "red"))`: the base colour, then colour from each value up."""
    values = [value for value, _ in levels]
    if values != sorted(values):
        raise ValueError(f"threshold values must increase: {values}")
    return [{"color": base}] + [{"color": color, "value": value} for value, color in levels]
