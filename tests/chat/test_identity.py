"""Who the customer is: the store's page passes a signed identity in the hello; a good one links the session to
the customer, a bad or expired one is an error frame and the conversation goes on anonymously."""

import json
import time

import pytest
from asgiref.sync import sync_to_async

from catalog.models import Customer
from mangaassist import turn
from chat.identity import sign_in_text
from chat.models import ChatSession, Message
from common.security import IdentityError, _b64, sign_customer_identity, verify_customer_identity
from reviews.models import ReviewTask
from tests.factories import all_drafts_auto

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "store-and-chat-share-this"


@pytest.fixture(autouse=True)
def identity_secret(settings):
    settings.CUSTOMER_IDENTITY_SECRET = SECRET


async def _hello(s, customer, session=None):
    await s.send({"type": "hello", "session": session, "last_seen": 0, "locale": "ja", "customer": customer})
    return await s.recv()


async def test_it_links_the_session_of_a_signed_in_customer(socket, catalog_data):  # noqa: F811
    s = await socket()
    welcome = await _hello(s, sign_customer_identity("C1001"))
    assert welcome["type"] == "welcome" and welcome["signed_in"] is True
    session = await sync_to_async(ChatSession.objects.select_related("customer").get)(public_id=welcome["session_id"])
    assert session.customer.external_id == "C1001"
    await s.close()


@pytest.mark.parametrize("make, code", [
    (lambda: sign_customer_identity("C1001")[:-2] + "xx", "identity_invalid"),  # signature does not match
    (lambda: sign_customer_identity("C1001", ttl_seconds=-120), "identity_expired"),
    (lambda: sign_customer_identity("C9999"), "identity_invalid"),  # no such customer
    (lambda: "v1.eyJzdWIiOiJDMTAwMSJ9.bm9wZQ", "identity_invalid"),
    (lambda: 42, "identity_invalid"),
    (lambda: "v1.本当.です", "identity_invalid"),
])
async def test_it_answers_a_bad_identity_with_an_error_and_keeps_the_session_anonymous(socket, catalog_data,  # noqa: F811
                                                                                     make, code):
    s = await socket()
    welcome = await _hello(s, make())
    assert welcome["type"] == "welcome" and welcome["signed_in"] is False
    error = await s.recv()
    assert error["type"] == "error" and error["code"] == code, error
    await s.send({"type": "ping", "ts": 1})
    assert (await s.recv())["type"] == "pong"  # the socket stays open
    session = await sync_to_async(ChatSession.objects.get)(public_id=welcome["session_id"])
    assert session.customer_id is None
    await s.close()


async def test_it_never_hands_one_customers_session_to_another(socket, catalog_data):  # noqa: F811
    s = await socket()
    first = await _hello(s, sign_customer_identity("C1001"))
    await s.close()
    s = await socket()
    second = await _hello(s, sign_customer_identity("C1002"), session=first["session"])
    assert second["session_id"] != first["session_id"] and second["signed_in"]
    sessions = await sync_to_async(lambda: {str(c.public_id): c.customer.external_id
                                            for c in ChatSession.objects.select_related("customer")})()
    assert sessions == {first["session_id"]: "C1001", second["session_id"]: "C1002"}
    await s.close()


async def test_an_anonymous_session_signs_in_and_keeps_its_conversation(socket, catalog_data):  # noqa: F811
    s = await socket()
    anonymous = await s.hello()
    await s.close()
    s = await socket()
    signed = await _hello(s, sign_customer_identity("C1003"), session=anonymous["session"])
    assert signed["session_id"] == anonymous["session_id"] and signed["signed_in"]
    await s.close()


def test_the_token_is_the_documented_hmac_sha256_over_version_and_payload(settings):
    import base64
    import hashlib
    import hmac

    payload = _b64(json.dumps({"sub": "C1001", "exp": int(time.time()) + 300}).encode())
    signature = base64.urlsafe_b64encode(hmac.new(SECRET.encode(), f"v1.{payload}".encode(), hashlib.sha256)
                                         .digest()).rstrip(b"=").decode()
    assert verify_customer_identity(f"v1.{payload}.{signature}") == "C1001"  # what README tells the store to do
    with pytest.raises(IdentityError) as too_long:
        verify_customer_identity(sign_customer_identity("C1001", ttl_seconds=3 * 86400))
    assert too_long.value.code == "identity_invalid"
    settings.CUSTOMER_IDENTITY_SECRET, settings.DEBUG = "", False
    with pytest.raises(IdentityError) as unavailable:
        verify_customer_identity(f"v1.{payload}.{signature}")
    assert unavailable.value.code == "identity_unavailable"


ORDER_QUESTIONS = {"ja": "注文番号 MA-260001 の配送状況を教えてください", "en": "Where is my order MA-260001?"}


def _answer(session, text):
    message = Message.objects.create(session=session, role="user", text=text)
    turn.answer_message(message.pk)
    return message, Message.objects.get(reply_to=message, role="assistant", kind="answer")


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_an_anonymous_order_question_is_told_how_to_sign_in_with_no_review_task(catalog_data, locale):  # noqa: F811
    all_drafts_auto()
    session = ChatSession.objects.create(locale=locale)
    message, answer = _answer(session, ORDER_QUESTIONS[locale])
    assert answer.text == sign_in_text(locale) and answer.status == "clarify"
    assert ("ログイン" if locale == "ja" else "sign in") in answer.text
    assert not ReviewTask.objects.filter(message=message).exists()
    assert "tools" not in answer.meta  # told before any order lookup (which could only fail) was made


@pytest.mark.parametrize("locale,shipped", [("ja", "発送"), ("en", "shipped")])
def test_a_signed_in_customer_gets_their_order(catalog_data, locale, shipped):  # noqa: F811
    all_drafts_auto()
    session = ChatSession.objects.create(locale=locale, customer=Customer.objects.get(external_id="C1001"))
    _, answer = _answer(session, ORDER_QUESTIONS[locale])
    assert "MA-260001" in answer.text and shipped in answer.text.lower(), answer.text
    assert "4829-1037-5521" in answer.text  # the tracking number: the order tool saw the customer's order


def _answered_question(session_id):
    from chat import delivery

    session = ChatSession.objects.get(public_id=session_id)
    question = Message.objects.create(session=session, role="user", text="ワンピースの1巻は在庫ありますか", client_id="q1")
    return delivery.send_to_customer(session, kind=Message.Kind.ANSWER, text="在庫あり（2冊）です", reply_to=question,
                                     status="auto", category="availability").pk


@pytest.mark.parametrize("identity, trusted", [("C1001", True), (None, False)])
async def test_feedback_from_a_signed_in_customer_counts_and_anonymous_feedback_scores_lower(
        socket, catalog_data, identity, trusted):  # noqa: F811
    from feedback.models import Feedback

    s = await socket()
    welcome = await _hello(s, sign_customer_identity(identity) if identity else None)
    answer_id = await sync_to_async(_answered_question)(welcome["session_id"])
    await s.recv_until("answer")
    await s.send({"type": "feedback", "message_id": answer_id, "kind": "thumb", "value": "up"})
    ack = await s.recv_until("feedback_ack")
    feedback = await sync_to_async(Feedback.objects.select_related("customer").get)(pk=ack["feedback_id"])
    # C1001 bought 12 times since 2023: purchases, an established account, a low rate, signed in
    assert feedback.is_trusted is trusted, feedback.provenance_signals
    if identity:
        assert feedback.customer.external_id == identity and feedback.provenance_signals["signed_in"] > 0
    else:
        assert feedback.customer is None and "signed_in" not in feedback.provenance_signals
    await s.close()


def test_the_http_fallback_creates_a_signed_in_session_and_refuses_a_bad_identity(client, catalog_data):  # noqa: F811
    created = client.post("/api/v1/sessions", {"locale": "en", "customer": sign_customer_identity("C1002")},
                          content_type="application/json")
    assert created.status_code == 201 and created.json()["signed_in"] is True
    assert ChatSession.objects.get(public_id=created.json()["session_id"]).customer.external_id == "C1002"

    count = ChatSession.objects.count()
    expired = client.post("/api/v1/sessions", {"customer": sign_customer_identity("C1002", ttl_seconds=-300)},
                          content_type="application/json")
    assert expired.status_code == 400 and expired.json()["code"] == "identity_expired"
    assert ChatSession.objects.count() == count  # nothing created for a refused identity
    anonymous = client.post("/api/v1/sessions", {"locale": "ja"}, content_type="application/json")
    assert anonymous.status_code == 201 and anonymous.json()["signed_in"] is False
