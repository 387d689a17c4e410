"""The canned responses a store ships with, in Japanese and English (number keys 1–9 in the console insert them at
the cursor). Idempotent on (title, locale); a response an operator has since edited is left as it is."""

from django.db import migrations

CANNED = [
    # (position, category, ja title, ja text, en title, en text)
    (1, "", "お詫び", "ご不便をおかけして申し訳ございません。",
     "Apology", "We're sorry for the trouble."),
    (2, "", "確認します", "担当者が詳しく確認いたします。少々お時間をいただけますでしょうか。",
     "We'll check", "A member of our team will look into this. Could you give us a little time?"),
    (3, "order_status", "注文番号の確認", "お手数ですが、ご注文番号（MA-から始まる番号）をお知らせいただけますか。",
     "Order number", "Could you tell us your order number (it starts with MA-)?"),
    (4, "refund", "返金の流れ", "返金は商品の到着確認後、5営業日以内にお支払い方法へ行います。",
     "Refund process", "Refunds are issued to your payment method within 5 business days after we receive the item."),
    (5, "shipping", "配送の目安", "通常、ご注文から2〜4日でお届けします。離島など一部地域は日数がかかる場合があります。",
     "Delivery time", "Orders usually arrive in 2–4 days; some remote areas take longer."),
    (6, "complaint", "ご意見への感謝", "貴重なご意見をありがとうございます。担当部署で共有し、改善に努めます。",
     "Thanks for the feedback", "Thank you for telling us. We've shared this with the team so we can do better."),
    (9, "", "締めのあいさつ", "ほかにご不明な点があれば、お気軽にお問い合わせください。",
     "Closing", "If there's anything else, just ask."),
]


def ship(apps, schema_editor):
    Canned = apps.get_model("reviews", "CannedResponse")
    for position, category, ja_title, ja_text, en_title, en_text in CANNED:
        for locale, title, text in (("ja", ja_title, ja_text), ("en", en_title, en_text)):
            Canned.objects.get_or_create(title=title, locale=locale,
                                         defaults={"text": text, "category": category, "position": position})


def unship(apps, schema_editor):
    Canned = apps.get_model("reviews", "CannedResponse")
    for position, category, ja_title, ja_text, en_title, en_text in CANNED:
        Canned.objects.filter(title=ja_title, locale="ja", text=ja_text).delete()
        Canned.objects.filter(title=en_title, locale="en", text=en_text).delete()


class Migration(migrations.Migration):
    dependencies = [("reviews", "0006_role_permissions")]

    operations = [migrations.RunPython(ship, unship)]
