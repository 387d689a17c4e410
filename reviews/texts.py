"""What the review engine tells customers, in the session's locale (Japanese is the store default).

Kept as plain dictionaries beside the code (rather than .po catalogues) so a worker never depends on compiled
message files; both languages are reviewed together here.
"""

TEXTS = {
    "ack_review": {
        "ja": "担当者が回答を確認しています。少々お待ちください。",
        "en": "A member of our team is checking this answer. One moment, please.",
    },
    "ack_handoff": {
        "ja": "担当者におつなぎしています。少々お待ちください。",
        "en": "We're passing your question to a member of our team. One moment, please.",
    },
    "heartbeat": {
        "ja": "まだ確認中です…（{minutes}分経過）",
        "en": "Still checking… ({minutes} min)",
    },
    "disclaimer": {
        "ja": "こちらが見つかった情報です。自動生成された回答のため、完全に検証されていない場合があります。",
        "en": "Here is what we found. This answer was generated automatically and may not be fully verified.",
    },
    "specialist": {
        "ja": "確認にお時間をいただいております。専門の担当者が確認のうえ、こちらで改めてご連絡いたします。",
        "en": "This needs a closer look: a specialist will follow up with you here shortly.",
    },
    "ask_contact": {
        "ja": "ご連絡先のメールアドレスをこちらに入力していただければ、担当者からメールでもご連絡いたします。",
        "en": "If you reply with your e-mail address, the specialist can also reach you by e-mail.",
    },
    "contact_saved": {
        "ja": "ありがとうございます。担当者から {email} 宛てにもご連絡いたします。",
        "en": "Thank you: the specialist will also write to {email}.",
    },
    "clarify": {
        "ja": "もう少し詳しく教えていただけますか？（作品名、巻数、ご注文番号など）",
        "en": "Could you tell me a little more? (the title, the volume, or your order number)",
    },
}


def text(key: str, locale: str, **params) -> str:
    variants = TEXTS[key]
    return variants.get(locale, variants["ja"]).format(**params)


def heartbeat_text(locale: str, elapsed_s: float) -> str:
    return text("heartbeat", locale, minutes=max(1, round(elapsed_s / 60)))


def with_disclaimer(draft_text: str, locale: str) -> str:
    return f"{text('disclaimer', locale)}\n\n{draft_text}"
