"""Amazon Bedrock's Converse API as botocore's Stubber is fed it: response shapes the real service returns."""

from chat import bedrock


def usage(tokens_in: int = 900, tokens_out: int = 120) -> dict:
    return {"inputTokens": tokens_in, "outputTokens": tokens_out, "totalTokens": tokens_in + tokens_out}


def response(content, stop_reason: str = "end_turn", tokens: dict | None = None, latency_ms: int = 812) -> dict:
    """A Converse response: `content` is a list of blocks ([{"text": …}], [{"toolUse": …}]) or a plain text."""
    if isinstance(content, str):
        content = [{"text": content}]
    return {"output": {"message": {"role": "assistant", "content": content}}, "stopReason": stop_reason,
            "usage": tokens or usage(), "metrics": {"latencyMs": latency_ms}}


def one_bedrock_client(settings, monkeypatch):
    """The Bedrock backend with every model call of a turn (classify, answer, any read timeout) on one boto3 client,
    for a botocore Stubber to answer in order."""
    settings.LLM_BACKEND = "bedrock"
    client = bedrock.client("classify")
    monkeypatch.setattr(bedrock, "client", lambda kind="answer", read_timeout=None: client)
    return client
