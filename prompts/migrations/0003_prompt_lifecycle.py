"""Prompt lifecycle: statuses draft → pending → approved → canary → live → retired (or rejected / rolled_back),
the offline answer wording on the version, history and freeze. The seeded version 1 becomes live and gets the
wording chat/generation.py had in code until now."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models import Q

SEED_TEMPLATES = {
    "common.could_not_check": {
        "ja": "申し訳ありません、ただいま在庫・商品情報を確認できませんでした。少し時間をおいてもう一度お試しいただくか、担当者からのご連絡をお待ちください。",
        "en": "Sorry, I could not check the catalog just now. Please try again in a moment, or a member of our team will follow up."},
    "stock.out": {"ja": "在庫切れ", "en": "out of stock"},
    "stock.in": {"ja": "在庫あり（{count}冊）", "en": "in stock ({count} left)"},
    "catalog.which_title": {
        "ja": "どの作品についてのお問い合わせか教えていただけますか？作品名（と巻数）をお知らせください。",
        "en": "Which title do you mean? Please tell me the series name (and the volume)."},
    "catalog.not_carried": {"ja": "{title}{volume}巻は当店では取り扱いがありません。",
                            "en": "We don't carry volume {volume} of {title}."},
    "catalog.volume": {"ja": "{title}{volume}巻は{stock}、価格は{price}（税込）です。",
                       "en": "Volume {volume} of {title} is {stock} at {price} (tax included)."},
    "catalog.series": {"ja": "{title}は{author}による作品で、既刊{volumes}巻（{status}）です。",
                       "en": "{title} is by {author}: {volumes} volumes, {status}."},
    "catalog.completed": {"ja": "完結", "en": "completed"},
    "catalog.ongoing": {"ja": "連載中", "en": "ongoing"},
    "catalog.first_volume": {"ja": "{volume}巻は{stock}、{price}です。在庫のある巻は{available}点です。",
                             "en": "Volume {volume} is {stock} at {price}; {available} volumes are in stock."},
    "catalog.rare": {"ja": "希少な作品のため、在庫は変動しやすくなっています。", "en": "This is a rare title, so stock changes quickly."},
    "recommendation.similar_intro": {"ja": "{title}がお好きなら、こちらはいかがでしょう。", "en": "If you like {title}, try these:"},
    "recommendation.intro": {"ja": "おすすめはこちらです。", "en": "Here are some picks:"},
    "recommendation.item": {"ja": "・{title}（{reason}）{synopsis}", "en": "- {title} ({reason}): {synopsis}"},
    "recommendation.ask_genre": {"ja": "どんなジャンルや作品がお好きか教えていただけますか？", "en": "What genres or titles do you enjoy?"},
    "order.ask_number": {"ja": "ご注文番号（例：MA-260001）を教えていただけますか？",
                         "en": "Could you tell me your order number (e.g. MA-260001)?"},
    "order.could_not_check": {"ja": "申し訳ありません、ただいまご注文状況を確認できませんでした。担当者が確認してご連絡します。",
                              "en": "Sorry, I could not check your order just now. A member of our team will follow up."},
    "order.not_found": {"ja": "ご注文番号 {number} は、お客様のご注文として見つかりませんでした。番号をご確認ください。",
                        "en": "I couldn't find order {number} under your account. Please check the number."},
    "order.status": {"ja": "ご注文 {number} は{status}です。", "en": "Order {number} is {status}."},
    "order.tracking": {"ja": " 追跡番号は {tracking}（{carrier}）です。", "en": " Tracking number: {tracking} ({carrier})."},
    "order.status_placed": {"ja": "ご注文受付済み", "en": "placed"},
    "order.status_paid": {"ja": "お支払い確認済み（発送準備中）", "en": "paid and being prepared"},
    "order.status_shipped": {"ja": "発送済み", "en": "shipped"},
    "order.status_delivered": {"ja": "配達完了", "en": "delivered"},
    "order.status_cancelled": {"ja": "キャンセル済み", "en": "cancelled"},
    "order.status_refund_requested": {"ja": "返金申請中", "en": "refund requested"},
    "faq.could_not_check": {"ja": "申し訳ありません、ただいまご案内を確認できませんでした。担当者からご連絡します。",
                            "en": "Sorry, I could not look that up just now. A member of our team will follow up."},
    "faq.clarify": {"ja": "恐れ入りますが、もう少し詳しく教えていただけますか？", "en": "Could you tell me a little more about your question?"},
    "faq.staff_follow_up": {"ja": " 詳しくは担当者が確認いたします。", "en": " A member of our team will look into the details."},
    "general.greeting": {"ja": "こんにちは、マンガアシストです。作品の在庫やおすすめ、ご注文・配送についてお気軽にお尋ねください。",
                         "en": "Hello, this is MangaAssist. Ask me about stock, recommendations, orders or shipping."},
}


def forwards(apps, schema_editor):
    PromptVersion = apps.get_model("prompts", "PromptVersion")
    PromptVersion.objects.filter(status="active").update(status="live")
    for version in PromptVersion.objects.filter(name="answer"):
        if not version.templates:
            version.templates = SEED_TEMPLATES
            version.reason = version.reason or "seeded: the wording the offline backend shipped with"
            version.save(update_fields=["templates", "reason"])


def backwards(apps, schema_editor):
    PromptVersion = apps.get_model("prompts", "PromptVersion")
    PromptVersion.objects.filter(status="live").update(status="active")


class Migration(migrations.Migration):
    dependencies = [("prompts", "0002_seed_answer_prompt"), migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [
        migrations.RemoveConstraint(model_name="promptversion", name="one_active_prompt_per_name"),
        migrations.AlterField(model_name="promptversion", name="status", field=models.CharField(
            choices=[("draft", "draft"), ("pending", "pending review"), ("approved", "approved"), ("canary", "canary"),
                     ("live", "live"), ("retired", "retired"), ("rejected", "rejected"), ("rolled_back", "rolled back")],
            default="draft", max_length=16)),
        migrations.AlterField(model_name="promptversion", name="text",
                              field=models.TextField(help_text="The Bedrock system prompt.")),
        migrations.AddField(model_name="promptversion", name="templates", field=models.JSONField(
            blank=True, default=dict, help_text="Offline answer wording: {key: {ja: …, en: …}} with {placeholders}.")),
        migrations.AddField(model_name="promptversion", name="reason", field=models.TextField(
            blank=True, help_text="Why this version exists (what it changes and why).")),
        migrations.AddField(model_name="promptversion", name="proposed_at", field=models.DateTimeField(blank=True, null=True)),
        migrations.AddField(model_name="promptversion", name="approved_at", field=models.DateTimeField(blank=True, null=True)),
        migrations.AddField(model_name="promptversion", name="override_reason", field=models.TextField(blank=True)),
        migrations.AddField(model_name="promptversion", name="evaluation", field=models.JSONField(blank=True, default=dict)),
        migrations.AddField(model_name="promptversion", name="evaluated_at", field=models.DateTimeField(blank=True, null=True)),
        migrations.AddField(model_name="promptversion", name="canary_percent", field=models.FloatField(default=5.0)),
        migrations.AddField(model_name="promptversion", name="canary_started_at", field=models.DateTimeField(blank=True, null=True)),
        migrations.AddField(model_name="promptversion", name="canary_until", field=models.DateTimeField(blank=True, null=True)),
        migrations.AddField(model_name="promptversion", name="canary_extended", field=models.BooleanField(default=False)),
        migrations.AddField(model_name="promptversion", name="canary_result", field=models.JSONField(blank=True, default=dict)),
        migrations.AddField(model_name="promptversion", name="needs_decision", field=models.BooleanField(default=False)),
        migrations.AddField(model_name="promptversion", name="ended_at", field=models.DateTimeField(blank=True, null=True)),
        migrations.RunPython(forwards, backwards),
        migrations.AddConstraint(model_name="promptversion", constraint=models.UniqueConstraint(
            condition=Q(status="live"), fields=("name",), name="one_live_prompt_per_name")),
        migrations.AddConstraint(model_name="promptversion", constraint=models.UniqueConstraint(
            condition=Q(status="canary"), fields=("name",), name="one_canary_prompt_per_name")),
        migrations.AddConstraint(model_name="promptversion", constraint=models.CheckConstraint(
            condition=Q(canary_percent__gte=0) & Q(canary_percent__lte=100), name="prompt_canary_percent_range")),
        migrations.CreateModel(
            name="PromptTransition",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("from_status", models.CharField(blank=True, choices=[("draft", "draft"), ("pending", "pending review"), ("approved", "approved"), ("canary", "canary"), ("live", "live"), ("retired", "retired"), ("rejected", "rejected"), ("rolled_back", "rolled back")], max_length=16)),
                ("to_status", models.CharField(choices=[("draft", "draft"), ("pending", "pending review"), ("approved", "approved"), ("canary", "canary"), ("live", "live"), ("retired", "retired"), ("rejected", "rejected"), ("rolled_back", "rolled back")], max_length=16)),
                ("actor_label", models.CharField(blank=True, max_length=64)),
                ("at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ("reason", models.TextField(blank=True)),
                ("numbers", models.JSONField(blank=True, default=dict)),
                ("actor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("version", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="transitions", to="prompts.promptversion")),
            ],
            options={"ordering": ["-at", "-id"]},
        ),
        migrations.CreateModel(
            name="PromptFreeze",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reason", models.TextField()),
                ("in_force", models.BooleanField(default=True)),
                ("frozen_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("lifted_at", models.DateTimeField(blank=True, null=True)),
                ("lift_reason", models.TextField(blank=True)),
                ("frozen_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("lifted_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={"ordering": ["-frozen_at"], "constraints": [models.UniqueConstraint(condition=Q(in_force=True), fields=("in_force",), name="one_prompt_freeze_in_force")]},
        ),
    ]
