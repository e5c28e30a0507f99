"""Signals the training app sends; the apps above it (inference) act on them."""

from django.dispatch import Signal

# An adapter version stopped being its tenant's pin (a newer one, or a roll-back), once that
# is committed; `serving_name` is the name the serving engine knows it by.
adapter_retired = Signal()

# A new adapter version was registered with an evaluation queued for it (training.promotion),
# once that is committed; the serving layer runs the evaluation (`tenant_id`, `adapter_id`).
adapter_registered = Signal()
