# The Alert kinds of issues 10, 12 and 14 together (each branch had altered the choices on its own).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reviews', '0007_shipped_canned_responses'),
    ]

    operations = [
        migrations.AlterField(
            model_name='alert',
            name='kind',
            field=models.CharField(choices=[('queue_depth', 'Queue Depth'), ('oldest_pending', 'Oldest Pending'), ('p1_breach_rate', 'P1 Breach Rate'), ('p2_breach_rate', 'P2 Breach Rate'), ('reviewers_low', 'Reviewers Low'), ('dead_letter', 'Dead Letter'), ('escalation_rate', 'Escalation Rate'), ('reviewer_load', 'Reviewer Load'), ('queue_growth', 'Queue Growth'), ('review_timeout_rate', 'Review Timeout Rate'), ('undelivered_promises', 'Undelivered'), ('watchdog_fallbacks', 'Watchdog Fallbacks'), ('ws_disconnects', 'Ws Disconnects'), ('guard_violations', 'Guard Violations'), ('failed_turns', 'Failed Turns'), ('bedrock_spend', 'Bedrock Spend'), ('threshold_breaker', 'Threshold Breaker'), ('answer_tier', 'Answer Tier'), ('followup_waiting', 'Followup Waiting'), ('followup_overdue', 'Followup Overdue')], max_length=20),
        ),
    ]
