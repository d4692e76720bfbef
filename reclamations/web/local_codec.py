"""`make run`'s Temporal Web UI decodes with no step in the browser: the dev server's UI sends
no cookie to the app's port unless each browser is told to, so `complaints run` gives it a codec
address with a key in it (cli/run.py), and a request to that address decodes as an operator's
would: a medical complaint's payloads stay encrypted (rule 11). The key is set only by
`complaints run`, and only while everything listens on 127.0.0.1 (SECURITY.md); without it
these addresses answer 401 like any call without a login.
"""

from __future__ import annotations

import hmac

from reclamations.domain.access import Principal, Role
from reclamations.web.context import WebContext

LOCAL_CODEC = "/codec/local/"
LOCAL_UI = Principal("interface-temporal-locale", Role.operator)


def local_codec_principal(ctx: WebContext, path: str) -> Principal | None:
    """The local Web UI, when `path` carries the local key; None otherwise."""
    key = ctx.settings.codec_local_key
    if not ctx.settings.listens_locally:
        return None  # a key set by mistake on a server reachable from the network opens nothing
    given = path.removeprefix(LOCAL_CODEC).split("/", 1)[0]
    if key is None or not hmac.compare_digest(given.encode(), key.get_secret_value().encode()):
        return None
    return LOCAL_UI
