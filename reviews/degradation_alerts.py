"""An operations alert while answers are degraded (chat/degradation.py steps tiers; chat cannot import reviews).

Opened when the tier leaves FULL (one open alert per kind: a further step down updates its message), resolved
when it is back at FULL.
"""

from django.dispatch import receiver
from django.utils import timezone

from chat import degradation
from reviews.alerts import open_alert
from reviews.models import Alert


@receiver(degradation.tier_changed, dispatch_uid="reviews.degradation_alert")
def _tier_changed(sender, old, new, reason, **_):
    if new.level == 0:
        Alert.objects.filter(kind=Alert.Kind.ANSWER_TIER, resolved_at__isnull=True).update(resolved_at=timezone.now())
        return
    message = f"Answers degraded to {new.name} ({new.label}): {reason}"
    if open_alert(Alert.Kind.ANSWER_TIER, message, new.level) is None:  # already open: keep it, say where we are
        Alert.objects.filter(kind=Alert.Kind.ANSWER_TIER, resolved_at__isnull=True).update(
            message=message[:300], value=new.level)
