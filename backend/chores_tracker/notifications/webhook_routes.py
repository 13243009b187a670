"""The family's outgoing webhooks (parents only): register (the secret shown once), list, enable or
disable, choose events, remove, and read each one's delivery log."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response, status

from chores_tracker.deps import DbSession, SettingsDep
from chores_tracker.http import ApiRouter, RowId
from chores_tracker.identity.deps import CurrentParent
from chores_tracker.notifications import webhooks
from chores_tracker.notifications.models import Webhook, WebhookDelivery
from chores_tracker.notifications.schemas import (
    NewWebhookOut,
    WebhookChangeIn,
    WebhookDeliveryOut,
    WebhookIn,
    WebhookOut,
)

router = ApiRouter(
    prefix="/webhooks",
    tags=["webhooks"],
    responses={
        401: {"description": "no token, or one that is not valid"},
        403: {"description": "the caller is not a parent"},
        404: {"description": "no such webhook in the caller's family"},
        422: {"description": "a refused URL (not http(s), or a private target) or an unknown event"},
    },
)


def present(row: Webhook) -> WebhookOut:
    return WebhookOut(
        id=row.id,
        url=row.url,
        events=row.events.split(",") if row.events else None,
        enabled=row.enabled,
        consecutive_failures=row.consecutive_failures or 0,
        disabled_reason=row.disabled_reason,
        created_at=row.created_at,
    )


def present_delivery(row: WebhookDelivery) -> WebhookDeliveryOut:
    return WebhookDeliveryOut(
        id=row.id,
        message_id=f"msg_{row.id}",
        event=row.event,
        state=row.state,
        attempts=row.attempts,
        last_attempt_at=row.last_attempt_at,
        last_status_code=row.last_status_code,
        last_error=row.last_error,
        delivered_at=row.delivered_at,
        created_at=row.created_at,
    )


@router.get("", response_model=list[WebhookOut], summary="List the family's webhooks")
def list_webhooks(parent: CurrentParent, session: DbSession) -> list[WebhookOut]:
    """The family's webhooks (never their secrets)."""
    return [present(row) for row in webhooks.of_family(session, parent)]


@router.post(
    "",
    response_model=NewWebhookOut,
    status_code=status.HTTP_201_CREATED,
    summary="Register a webhook (its secret is shown once)",
)
def create_webhook(data: WebhookIn, parent: CurrentParent, session: DbSession, settings: SettingsDep) -> NewWebhookOut:
    """The family's events are POSTed to the URL as JSON, signed per Standard Webhooks with the secret
    in this answer (never shown again). A URL whose host resolves to a loopback, private, link-local,
    multicast, reserved or unspecified address is refused (422) unless WEBHOOK_ALLOW_PRIVATE_NETWORKS
    is on."""
    made, secret = webhooks.create(session, settings, parent, url=data.url, events=data.events, enabled=data.enabled)
    return NewWebhookOut(**present(made).model_dump(), secret=secret)


@router.get("/{webhook_id}", response_model=WebhookOut, summary="One of the family's webhooks")
def get_webhook(webhook_id: RowId, parent: CurrentParent, session: DbSession) -> WebhookOut:
    return present(webhooks.find(session, parent, webhook_id))


@router.patch("/{webhook_id}", response_model=WebhookOut, summary="Enable or disable a webhook, or choose its events")
def change_webhook(webhook_id: RowId, data: WebhookChangeIn, parent: CurrentParent, session: DbSession) -> WebhookOut:
    """Enabling one the worker disabled starts its failure count again; its waiting deliveries go."""
    if "events" in data.model_fields_set:
        found = webhooks.change(session, parent, webhook_id, enabled=data.enabled, events=data.events)
    else:
        found = webhooks.change(session, parent, webhook_id, enabled=data.enabled)
    return present(found)


@router.delete(
    "/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response, summary="Remove a webhook"
)
def remove_webhook(webhook_id: RowId, parent: CurrentParent, session: DbSession) -> Response:
    """The webhook and its delivery log are gone; nothing more is sent to it."""
    webhooks.remove(session, parent, webhook_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{webhook_id}/deliveries",
    response_model=list[WebhookDeliveryOut],
    summary="A webhook's delivery log",
)
def list_deliveries(
    webhook_id: RowId,
    parent: CurrentParent,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=webhooks.MAX_PAGE)] = 50,
) -> list[WebhookDeliveryOut]:
    """Newest first: when, the receiver's last status code, the attempts, the last error."""
    return [present_delivery(row) for row in webhooks.deliveries(session, parent, webhook_id, limit=limit)]
