"""Every threshold save is recorded (ThresholdChange) and tells every process to reload its cached thresholds.

Callers that know who made the change set `instance._changed_by` (a user) and `instance._change_source` before
saving (the admin and the API do); a change from the shell is still recorded, with source "other".
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from reviews.models import EscalationThreshold, ThresholdChange, ThresholdOverride
from reviews.thresholds import bump_version


@receiver(pre_save, sender=EscalationThreshold)
def _remember_before(sender, instance, raw=False, **kwargs):
    if raw:
        return
    old = EscalationThreshold.objects.filter(pk=instance.pk).first() if instance.pk else None
    instance._before = old.snapshot() if old else {}


@receiver(post_save, sender=EscalationThreshold)
def _record_change(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_before", {})
    after = instance.snapshot()
    changed_before = {k: v for k, v in before.items() if after.get(k) != v}
    changed_after = {k: after[k] for k in after if before.get(k, object()) != after[k]}
    if changed_after or created:
        ThresholdChange.objects.create(
            threshold=instance, category=instance.category, changed_by=getattr(instance, "_changed_by", None),
            source=getattr(instance, "_change_source", ThresholdChange.Source.OTHER),
            before=changed_before, after=changed_after, reason=getattr(instance, "_change_reason", "")[:200])
    transaction.on_commit(bump_version)


@receiver(post_delete, sender=EscalationThreshold)
@receiver(post_save, sender=ThresholdOverride)
@receiver(post_delete, sender=ThresholdOverride)
def _thresholds_changed(sender, **kwargs):
    transaction.on_commit(bump_version)


def _person_promised(sender, message, answer, reason="", **kwargs):
    from reviews.promises import open_promised_handoff

    open_promised_handoff(message, answer, reason)


# chat cannot import reviews: its watchdog announces the promise, reviews opens the task for a person.
from chat.watchdog import person_promised  # noqa: E402

person_promised.connect(_person_promised, dispatch_uid="reviews.promised_handoff")
