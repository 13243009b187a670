"""The in-app notification centre: what the caller was told, how much is unread, marking read."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response, status

from chores_tracker.deps import DbSession, SettingsDep
from chores_tracker.http import MAX_ROW_ID, ApiRouter, RowId
from chores_tracker.identity.deps import CurrentParent, CurrentUser
from chores_tracker.notifications import channels, service
from chores_tracker.notifications.events import EVENT_LABELS
from chores_tracker.notifications.models import DeliveryState, NotificationChannel
from chores_tracker.notifications.schemas import (
    ChannelIn,
    ChannelOut,
    DeliveryOut,
    DigestIn,
    DigestOut,
    EventsOut,
    MarkedReadOut,
    NotificationOut,
    NotificationPageOut,
    PreferencesIn,
    PreferencesOut,
    PushKeyOut,
    PushSubscriptionIn,
    UnreadCountOut,
    present,
)

router = ApiRouter(prefix="/notifications", tags=["notifications"])


@router.get("", response_model=NotificationPageOut)
def list_notifications(
    user: CurrentUser,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_ROW_ID)] = 0,
    unread_only: bool = False,
) -> NotificationPageOut:
    """The caller's own notifications in its family, newest first, with the unread count."""
    page = service.recent(session, user, limit=limit, offset=offset, unread_only=unread_only)
    return NotificationPageOut(
        notifications=[present(n) for n in page.notifications],
        total_count=page.total_count,
        unread_count=page.unread_count,
        has_more=page.has_more,
    )


@router.get("/unread-count", response_model=UnreadCountOut)
def unread_count(user: CurrentUser, session: DbSession) -> UnreadCountOut:
    """Cheap enough to poll: one indexed count."""
    return UnreadCountOut(unread_count=service.unread_count(session, user))


@router.post("/read-all", response_model=MarkedReadOut)
def mark_all_read(user: CurrentUser, session: DbSession) -> MarkedReadOut:
    return MarkedReadOut(marked=service.mark_all_read(session, user))


@router.post("/{notification_id}/read", response_model=NotificationOut)
def mark_read(notification_id: RowId, user: CurrentUser, session: DbSession) -> NotificationOut:
    return present(service.mark_read(session, user, notification_id))


@router.get("/preferences", response_model=PreferencesOut)
def get_preferences(user: CurrentUser, session: DbSession) -> PreferencesOut:
    """The caller's quiet hours (family-local): deliveries to its channels wait until they end."""
    found = service.preferences(session, user)
    return PreferencesOut(quiet_start=found.quiet_start, quiet_end=found.quiet_end)


@router.put("/preferences", response_model=PreferencesOut)
def put_preferences(data: PreferencesIn, user: CurrentUser, session: DbSession) -> PreferencesOut:
    found = service.set_quiet_hours(session, user, data.quiet_start, data.quiet_end)
    return PreferencesOut(quiet_start=found.quiet_start, quiet_end=found.quiet_end)


@router.get("/digest", response_model=DigestOut)
def get_digest(user: CurrentUser, session: DbSession) -> DigestOut:
    """The caller's daily digest hour (family-local; null: no digest)."""
    return DigestOut(digest_hour=service.preferences(session, user).digest_hour)


@router.put("/digest", response_model=DigestOut)
def put_digest(data: DigestIn, user: CurrentUser, session: DbSession) -> DigestOut:
    """Opt in to (or out of) the daily digest: once a family-local day, at this hour or as soon after
    as the worker runs, one notification with the day's chores done, approved and waiting, and the
    balances (a parent: the family's; a child: its own)."""
    return DigestOut(digest_hour=service.set_digest_hour(session, user, data.digest_hour).digest_hour)


@router.get("/events", response_model=EventsOut)
def events(_user: CurrentUser) -> EventsOut:
    """The events a member can be told of, and what each means."""
    return EventsOut(events=dict(EVENT_LABELS))


def _channel_out(channel: NotificationChannel, settings: SettingsDep) -> ChannelOut:
    return ChannelOut(
        id=channel.id,
        name=channel.name,
        url=channels.masked(channels.decrypt(settings, channel.url_encrypted)),
        events=channel.events.split(",") if channel.events else None,
        enabled=channel.enabled,
        created_at=channel.created_at,
    )


@router.get("/channels", response_model=list[ChannelOut])
def list_channels(user: CurrentUser, session: DbSession, settings: SettingsDep) -> list[ChannelOut]:
    """The caller's own channels (their URLs masked)."""
    return [_channel_out(channel, settings) for channel in channels.channels_of(session, user)]


@router.post("/channels", response_model=ChannelOut, status_code=status.HTTP_201_CREATED)
def add_channel(data: ChannelIn, user: CurrentUser, session: DbSession, settings: SettingsDep) -> ChannelOut:
    """A channel of the caller's: the worker delivers the chosen events to it."""
    made = channels.add_channel(session, settings, user, name=data.name, url=data.url, events=data.events)
    return _channel_out(made, settings)


@router.get("/push-key", response_model=PushKeyOut)
def push_key(_user: CurrentUser, settings: SettingsDep) -> PushKeyOut:
    """The key a browser subscribes to Web Push with (`applicationServerKey`), when the server sends it."""
    from chores_tracker.notifications import webpush

    key = webpush.public_key(settings)
    return PushKeyOut(enabled=key is not None, public_key=key)


@router.post(
    "/push-subscriptions",
    response_model=ChannelOut,
    status_code=status.HTTP_201_CREATED,
    summary="Receive notifications on this browser (Web Push)",
)
def add_push_subscription(
    data: PushSubscriptionIn, user: CurrentUser, session: DbSession, settings: SettingsDep
) -> ChannelOut:
    """A browser's push subscription becomes one of the caller's channels (listed, filtered by event
    and removed like any other). The same browser subscribing again replaces its channel. When the
    push service says the subscription has ended (404 or 410), the channel is turned off."""
    made = channels.add_push_subscription(
        session,
        settings,
        user,
        name=data.name,
        endpoint=data.endpoint,
        p256dh=data.keys.p256dh,
        auth=data.keys.auth,
        events=data.events,
    )
    return _channel_out(made, settings)


@router.delete("/channels/{channel_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_channel(channel_id: RowId, user: CurrentUser, session: DbSession) -> Response:
    channels.remove_channel(session, user, channel_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/deliveries", response_model=list[DeliveryOut])
def list_deliveries(
    parent: CurrentParent,
    session: DbSession,
    state: DeliveryState = DeliveryState.dead,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 50,
) -> list[DeliveryOut]:
    """The family's deliveries in one state, newest first; by default the dead letters (given up
    after NOTIFICATION_MAX_ATTEMPTS tries), with the last error."""
    return [
        DeliveryOut(
            id=row.delivery.id,
            notification_id=row.notification.id,
            recipient_id=row.notification.recipient_id,
            channel_name=row.channel_name,
            event=row.notification.event,
            text=row.notification.text,
            state=row.delivery.state,
            attempts=row.delivery.attempts,
            last_error=row.delivery.last_error,
            created_at=row.delivery.created_at,
        )
        for row in service.deliveries(session, parent, state=state.value, limit=limit)
    ]


@router.post("/deliveries/{delivery_id}/retry", status_code=status.HTTP_204_NO_CONTENT)
def retry_delivery(delivery_id: RowId, parent: CurrentParent, session: DbSession) -> Response:
    """A dead letter is tried again from its first attempt (409 if it is not dead)."""
    service.retry(session, parent, delivery_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
