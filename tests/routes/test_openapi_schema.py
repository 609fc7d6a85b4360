"""The HTTP API against its own OpenAPI schema (schemathesis, in-process over ASGI):
for generated valid and invalid requests, no 5xx, and every answer is one the schema
describes (status, content type, body)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from app.main import create_app
from app.models.format import save_model
from app.settings import Settings
from tests.helpers import tiny_model


def app_with_a_user_model():
    models = Path(tempfile.mkdtemp(prefix="gatescope-schema-"))
    save_model(tiny_model(name="tiny"), models / "tiny.npz")
    return create_app(Settings(models=models, max_tokens_per_message=300, max_tokens_per_session=500))


# Invalid requests must be refused with a 4xx; a body over max_body_bytes is a 413.
REFUSALS = ["400", "404", "405", "413", "422"]
# Valid requests may still be refused for what a schema cannot say: a model that is not
# there (404), too many tokens (413), a what-if on a layer the model lacks (422).
ACCEPTED = ["2xx", "3xx", "404", "413", "422"]
# oEmbed answers 501 for any format but json, as its specification asks.
OEMBED_FORMATS = ["501"]
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "negative_data_rejection": {"expected-statuses": REFUSALS},
            "positive_data_acceptance": {"expected-statuses": ACCEPTED},
        },
        "operations": [
            {
                "include-path": "/oembed",
                "checks": {
                    "not_a_server_error": {"expected-statuses": ["2xx", "3xx", "4xx", *OEMBED_FORMATS]},
                    "negative_data_rejection": {"expected-statuses": REFUSALS + OEMBED_FORMATS},
                    "positive_data_acceptance": {"expected-statuses": ACCEPTED + OEMBED_FORMATS},
                },
            }
        ],
    }
)
schema = schemathesis.openapi.from_asgi("/openapi.json", app_with_a_user_model(), config=CONFIG)


@schema.parametrize()
@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_answer_matches_the_schema_and_none_is_a_server_error(case):
    case.call_and_validate()
