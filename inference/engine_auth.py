"""The key only the platform's own processes hold for talking to vLLM.

vLLM's own `--api-key` guards only its /v1 routes; the gate middleware that our plugin
package ships (`sanoweb_lora_isolation.gate`) requires this key on every route but /health
and refuses every route the router does not use. The key is VLLM_API_KEY when set, else
derived from SECRET_KEY, so the web process, the workers and the launcher agree on it
without another secret to distribute.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def api_key() -> str:
    configured = getattr(settings, "VLLM_API_KEY", "")
    if configured:
        return str(configured)
    return hmac.new(settings.SECRET_KEY.encode(), b"sanoweb.vllm-api-key",
                    hashlib.sha256).hexdigest()


def headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key()}"}
