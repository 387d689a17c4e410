"""`{% threshold_panel hours %}`: the threshold panel of the operations dashboard (reviews/threshold_panel.py)."""

from django import template

from reviews.threshold_panel import panel_data

register = template.Library()


@register.inclusion_tag("reviews/_threshold_panel.html")
def threshold_panel(hours=24):
    try:
        hours = float(hours)
    except (TypeError, ValueError):
        hours = 24
    return {"panel": panel_data(hours)}
