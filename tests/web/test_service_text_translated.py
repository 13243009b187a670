"""Text the services make, on a Spanish page (issue 14, point 10): schedules in words, the activity
feed's lines, the week page's messages. The JSON API keeps its English."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from markupsafe import escape

from chores_tracker import clock
from chores_tracker.activity.models import ActivityType
from chores_tracker.chores import occurrences
from chores_tracker.chores import service as chores_service
from chores_tracker.chores.schemas import ChoreCreate
from chores_tracker.chores.timestep import run_time_step
from chores_tracker.identity.models import User
from chores_tracker.rewards import allowance
from chores_tracker.rewards.schemas import AllowanceIn
from chores_tracker.web import i18n
from chores_tracker.web.i18n import sentence
from tests.support.api import PASSWORD, Api, Person
from tests.support.clock_file import write_instant
from tests.support.family import approve, chore, complete, reject
from tests.web.conftest import Visitor, field_error


def _ok(response, status: int = 200):
    assert response.status_code == status, response.text
    return response.json() if response.content else None


class Feed:
    """A family whose feed has a row of every activity type, made by the services themselves."""

    def __init__(self, app, api: Api) -> None:
        self.api = api
        owner = api.parent(family_name="Los Pérez")
        kid = api.child(owner)
        gone = api.child(owner)  # removed from the family below
        _ok(api.put("/families/currency", owner, json={"currency": "EUR"}))
        _ok(api.put("/families/timezone", owner, json={"timezone": "Europe/Madrid"}))
        other = api.second_parent(owner)  # invite_code_created, parent_joined
        _ok(api.client.patch(f"/api/v1/users/children/{kid.id}", json={"display_name": "Ana"}, headers=owner.headers))
        _ok(api.client.patch("/api/v1/users/me", json={"avatar": "🦊"}, headers=other.headers))
        dishes = chore(api, owner, title="Dishes", reward="2.50", assignee_ids=[kid.id])
        assignment = complete(api, kid, dishes["id"])
        reject(api, owner, assignment["id"], "greasy")
        complete(api, kid, dishes["id"])
        approved = approve(api, owner, assignment["id"])
        bins = chore(api, owner, title="Bins", reward="1.00", assignee_ids=[kid.id], auto_approve=True)
        complete(api, kid, bins["id"])  # chore_completed, chore_auto_approved
        socks = chore(api, owner, title="Socks", reward="1.00", assignee_ids=[kid.id])
        complete(api, kid, socks["id"])
        _ok(api.post(f"/chores/{socks['id']}/take-back", kid))
        _ok(api.post("/adjustments/", owner, json={"child_id": kid.id, "amount": "20.00", "reason": "birthday"}), 201)
        penalty = _ok(
            api.post("/adjustments/", owner, json={"child_id": kid.id, "amount": "-1.00", "reason": "late"}), 201
        )
        _ok(api.post("/payouts/", owner, json={"child_id": kid.id, "amount": "1.00", "note": "cash"}), 201)
        _ok(api.post(f"/ledger/entries/{penalty['id']}/reverse", owner), 201)
        _ok(api.post(f"/chores/{dishes['id']}/disable", owner))
        _ok(api.post(f"/chores/{dishes['id']}/enable", owner))
        _ok(api.put(f"/chores/{dishes['id']}", owner, json={"title": "Plates"}))
        _ok(api.delete(f"/chores/{socks['id']}", owner), 204)
        cinema = _ok(api.post("/rewards", owner, json={"title": "Cinema", "cost": "3.00"}), 201)
        for decision in ("approve", "decline", "cancel"):
            made = _ok(api.post(f"/rewards/{cinema['id']}/claim", kid), 201)
            who, body = (
                (kid, None)
                if decision == "cancel"
                else (owner, {"reason": "not today"} if decision == "decline" else None)
            )
            _ok(api.post(f"/rewards/claims/{made['id']}/{decision}", who, json=body))
        _ok(api.post("/goals", kid, json={"title": "Bike", "target": "5.00"}), 201)
        now = clock.now()
        with app.state.session_factory() as session, clock.told(now - timedelta(days=8)):
            parent_row = session.get(User, owner.id)
            allowance.set_allowance(
                session,
                parent_row,
                kid.id,
                AllowanceIn(amount="2.00", period="week", weekday=now.weekday(), at=time(0, 0)),
            )
        with app.state.session_factory() as session, clock.told(now - timedelta(days=3)):
            fine = {"kind": "daily", "due_time": "07:00", "missed_penalty_cents": 50}
            body = {
                "title": "Bed",
                "reward": "1.00",
                "assignment_mode": "single",
                "assignee_ids": [kid.id],
                "schedule": fine,
            }
            chores_service.create_chore(session, session.get(User, owner.id), ChoreCreate(**body))
        run_time_step(app.state.session_factory, now)  # goal_reached, allowance_credited, chore_missed
        _ok(api.post(f"/users/children/{kid.id}/deactivate", owner))
        _ok(api.post(f"/users/children/{kid.id}/reactivate", owner))
        kid = Person(kid.id, kid.username, api.token_for(kid.username), False)  # its sessions ended with it
        _ok(api.delete(f"/families/members/{gone.id}", owner), 204)
        _ok(api.post("/families/owner", owner, json={"user_id": other.id}))
        _ok(api.put("/families/language", other, json={"language": "es"}))
        self.owner, self.other, self.kid, self.gone, self.approved = owner, other, kid, gone, approved

    def rows(self) -> list[dict]:
        found = _ok(self.api.get("/activities/recent", self.owner, params={"limit": 100}))
        return found["activities"]


def _lines(visitor: Visitor, pages: tuple[str, ...] = ("/activity", "/activity?page=2")) -> tuple[str, str]:
    """The feed's lines (and their notes) on the activity pages, one a line; and the pages' text."""
    texts = [visitor.get(page).text for page in pages]
    found = []
    for text in texts:
        assert visitor.page.status_code == 200
        for line, note in re.findall(
            r'<p class="activity-text">(.*?)</p>(?:\s*<p class="activity-note">(.*?)</p>)?', text, re.DOTALL
        ):
            found.append(line.strip() + (f" [{note}]" if note else ""))
    return "\n".join(found), "\n".join(texts)


def _signed_in(app, username: str) -> Visitor:
    visitor = Visitor(app)
    assert visitor.log_in(username, PASSWORD).status_code == 200
    return visitor


EURO = "\xa0€"


def _escaped(text: str) -> str:
    """A text as a page writes it (Jinja2's escaping: &#39; for ')."""
    return str(escape(text))


def _spanish_lines(feed: Feed) -> dict[str, list[str]]:
    """Each activity type's line (and note) on the Spanish page, as the other parent reads it."""
    owner, other, kid = (f"<strong>{p.username}</strong>" for p in (feed.owner, feed.other, feed.kid))
    return {
        "chore_created": [f"{owner} agregó la tarea <strong>Dishes</strong>"],
        "chore_updated": [f"{owner} cambió <strong>Plates</strong>"],
        "chore_deleted": [f"{owner} eliminó <strong>Socks</strong>"],
        "chore_disabled": [f"{owner} pausó <strong>Dishes</strong>"],
        "chore_enabled": [f"{owner} reanudó <strong>Dishes</strong>"],
        "chore_completed": ["<strong>Ana</strong> terminó <strong>Dishes</strong>"],
        "chore_approved": [
            f'{owner} aprobó <strong>Dishes</strong> para Ana <span class="amount-plus">+2,50{EURO}</span>'
        ],
        "chore_rejected": [f"{owner} le devolvió <strong>Dishes</strong> a Ana [“greasy”]"],
        "chore_missed": [
            f'<strong>Ana</strong> no hizo <strong>Bed</strong>: una penalización <span class="amount-minus">−0,50{EURO}</span>'
        ],
        "adjustment_applied": [
            f'{owner} le dio a Ana un bono <span class="amount-plus">+20,00{EURO}</span> [“birthday”]',
            f'{owner} le puso a Ana una penalización <span class="amount-minus">−1,00{EURO}</span> [“late”]',
        ],
        "payout_recorded": [f"{owner} le entregó a Ana <strong>1,00{EURO}</strong> [“cash”]"],
        "parent_joined": [f"{other} se unió a la familia"],
        "child_added": [f"{owner} añadió un niño a la familia"],
        "member_removed": [f"{owner} quitó a {feed.gone.username} de la familia"],
        "ownership_transferred": [f"{owner} le pasó la familia a {feed.other.username}"],
        "invite_code_created": [f"{owner} creó un código de invitación nuevo"],
        "timezone_changed": [f"{owner} cambió la zona horaria de la familia a Europe/Madrid"],
        "currency_changed": [f"{owner} cambió la moneda de la familia a EUR"],
        "profile_changed": [f"{kid} ahora se llama <strong>Ana</strong>", f"{other} tiene un avatar nuevo"],
        "child_deactivated": [f"{owner} desactivó a Ana"],
        "child_reactivated": [f"{owner} dejó que Ana vuelva a iniciar sesión"],
        "chore_taken_back": ["<strong>Ana</strong> deshizo <strong>Socks</strong>: al final no estaba hecha"],
        "chore_auto_approved": [
            f'<strong>Bins</strong> se aprobó automáticamente para Ana <span class="amount-plus">+1,00{EURO}</span>'
        ],
        # The reversal's own English note ("reverses the penalty of 1.00") is not shown: the line says it.
        "entry_reversed": [f'{owner} revirtió un movimiento de Ana <span class="amount-plus">+1,00{EURO}</span>\n'],
        "reward_claimed": [f"<strong>Ana</strong> pidió <strong>Cinema</strong> por 3,00{EURO}"],
        "reward_approved": [
            f'{owner} aprobó <strong>Cinema</strong> para Ana <span class="amount-minus">−3,00{EURO}</span>'
        ],
        "reward_declined": [f"{owner} rechazó un premio que pidió Ana [“not today”]"],
        "reward_cancelled": ["<strong>Ana</strong> canceló el pedido de <strong>Cinema</strong>"],
        "goal_reached": [f"<strong>Ana</strong> alcanzó la meta de ahorro <strong>Bike</strong> de 5,00{EURO}"],
        "allowance_credited": ["Mesada de <strong>Ana</strong> de la semana del "],
    }


# Words of the stored English sentences and of the English lines, none of which a Spanish line has.
ENGLISH = (
    " approved ",
    " finished ",
    " claimed ",
    "llowance",
    " missed ",
    " reversed ",
    "sent back",
    "added ",
    "savings goal",
    "is now called",
    "new avatar",
    "handed",
    "joined",
    "time zone",
    "currency",
    "penalty",
    " bonus",
    "deleted",
    "paused",
    "resumed",
    "changed",
    "cancelled",
    "declined",
    "took back",
    "automatically",
    "invite code",
    "removed",
    "deactivated",
    "sign in",
    "reverses",
    "someone",
    "You",
)


def test_a_spanish_activity_page_says_every_type_from_its_fields_and_the_api_keeps_its_english(app, api):
    feed = Feed(app, api)
    rows = feed.rows()
    assert {row["activity_type"] for row in rows} == {member.value for member in ActivityType}
    lines, pages = _lines(_signed_in(app, feed.other.username))
    assert '<html lang="es">' in pages
    expected = _spanish_lines(feed)
    assert set(expected) == {member.value for member in ActivityType}
    for kind, fragments in expected.items():
        for fragment in fragments:
            assert fragment in lines + "\n", f"{kind}: {fragment!r} not in\n{lines}"
    assert re.search(
        rf'Mesada de <strong>Ana</strong> de la semana del \w+ \d+ \w+ <span class="amount-plus">\+2,00{EURO}</span>',
        lines,
    )
    for row in rows:  # no stored sentence shows, nor any English line
        assert row["description"] not in pages and _escaped(row["description"]) not in pages
    for word in ENGLISH:
        assert word not in lines, f"{word!r} in\n{lines}"

    # The API's descriptions are the services' English sentences, whatever the family's language.
    by_type = {row["activity_type"]: row["description"] for row in reversed(rows)}
    o, kid = feed.owner.username, feed.kid.username
    assert by_type["chore_approved"] == f"{o} approved 'Dishes' for {kid}: 2.50"
    assert by_type["chore_missed"].startswith(f"{kid} missed 'Bed', due ")
    assert by_type["reward_claimed"] == "Ana claimed 'Cinema' for 3.00"
    assert by_type["allowance_credited"].startswith("Ana's allowance for the week of ")
    assert by_type["profile_changed"] == f"{feed.other.username} has a new avatar"
    assert by_type["child_added"] == f"{o} added {feed.gone.username} to the family"
    _ok(api.put("/families/language", feed.other, json={"language": None}))
    assert [row["description"] for row in feed.rows()] == [row["description"] for row in rows]


def test_an_english_activity_page_reads_as_before(app, api):
    feed = Feed(app, api)
    _ok(api.put("/families/language", feed.other, json={"language": "en"}))
    lines, pages = _lines(_signed_in(app, feed.other.username))
    assert '<html lang="en">' in pages
    o = f"<strong>{feed.owner.username}</strong>"
    assert f'{o} approved <strong>Dishes</strong> for Ana <span class="amount-plus">+€2.50</span>' in lines
    assert f"{o} handed the family over to you" in lines and "<strong>You</strong> joined the family" in lines
    assert f"{o} reversed for Ana" in lines and "“reverses the penalty of 1.00”" in lines
    # The types whose stored sentence says more than their fields: the sentence, as always.
    rows = feed.rows()
    for row in rows:
        if row["activity_type"] in (
            "child_added",
            "reward_claimed",
            "reward_declined",
            "allowance_credited",
            "chore_missed",
        ):
            assert _escaped(row["description"]) in lines, row
    assert f"{feed.owner.username} added {feed.gone.username} to the family" in lines
    assert "not today" not in lines.replace(
        _escaped(next(r["description"] for r in rows if r["activity_type"] == "reward_declined")), ""
    )


def test_a_row_without_its_fields_shows_its_stored_sentence(app, api):
    from chores_tracker.activity.models import Activity

    owner = api.parent(family_name="Los Gómez")
    _ok(api.put("/families/language", owner, json={"language": "es"}))
    with app.state.session_factory() as session:
        family_id = session.get(User, owner.id).family_id
        session.add_all(
            Activity(family_id=family_id, user_id=owner.id, activity_type=kind, description=f"an old row of {kind}")
            for kind in ("chore_approved", "reward_claimed", "timezone_changed", "no_such_type")
        )
        session.commit()
    lines, _pages = _lines(_signed_in(app, owner.username), ("/activity",))
    for kind in ("chore_approved", "reward_claimed", "timezone_changed", "no_such_type"):
        assert f"an old row of {kind}" in lines


# -- schedules ------------------------------------------------------------------------------------

# Every kind, the API's (English) words and the Spanish page's.
SCHEDULES = [
    ({"kind": "once"}, "Once", "Una vez"),
    ({"kind": "once", "due_date": "2027-03-02"}, "Once, due Tue 2 Mar", "Una vez, para el mar 2 mar"),
    ({"kind": "daily", "due_time": "07:30"}, "Every day by 7:30 am", "Todos los días, para las 07:30"),
    ({"kind": "every_n_days", "interval": 3, "anchor": "2027-01-04"}, "Every 3 days", "Cada 3 días"),
    (
        {"kind": "weekly", "weekdays": [0, 2, 4], "due_time": "18:00"},
        "Every Mon, Wed and Fri by 6 pm",
        "Cada lun, mié y vie, para las 18:00",
    ),
    (
        {
            "kind": "every_n_weeks",
            "interval": 2,
            "weekdays": [5, 6],
            "anchor": "2027-01-04",
            "season": {"start": "06-01", "end": "08-31"},
        },
        "Every 2 weeks on Sat and Sun (Jun–Aug)",
        "Cada 2 semanas: sáb y dom (jun–ago)",
    ),
    ({"kind": "monthly_day", "day_of_month": 3}, "Monthly on the 3rd", "Cada mes, el día 3"),
    (
        {"kind": "monthly_day", "day_of_month": 31},
        "Monthly on the 31st (or the last day)",
        "Cada mes, el día 31 (o el último día)",
    ),
    (
        {"kind": "monthly_nth_weekday", "nth": 1, "weekdays": [0]},
        "Monthly on the first Monday",
        "Cada mes, el primer lunes",
    ),
    (
        {"kind": "monthly_nth_weekday", "nth": -1, "weekdays": [4]},
        "Monthly on the last Friday",
        "Cada mes, el último viernes",
    ),
    (
        {"kind": "monthly_last_day", "due_time": "12:00"},
        "Monthly on the last day by noon",
        "Cada mes, el último día, para las 12:00",
    ),
    (
        {"kind": "yearly", "month": 2, "day_of_month": 29},
        "Every year on 29 Feb (28 Feb in other years)",
        "Cada año, el 29 feb (el 28 feb los demás años)",
    ),
    (
        {"kind": "yearly", "month": 12, "day_of_month": 25, "season": {"start": "12-20", "end": "01-06"}},
        "Every year on 25 Dec (20 Dec–6 Jan)",
        "Cada año, el 25 dic (20 dic–6 ene)",
    ),
    ({"kind": "after_completion", "interval": 0}, "Again as soon as it is done", "De nuevo en cuanto se hace"),
    ({"kind": "after_completion", "interval": 1}, "1 day after it is done", "1 día después de hacerla"),
    (
        {"kind": "after_completion", "interval": 7, "due_time": "18:30"},
        "7 days after it is done by 6:30 pm",
        "7 días después de hacerla, para las 18:30",
    ),
]


def _pill_texts(page: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", pill).strip()
        for pill in re.findall(r'<span class="pill pill-(?:info|muted)">(.*?)</span>', page, re.DOTALL)
    ]


def test_schedules_of_every_kind_in_words_on_spanish_pages_and_as_before_in_english(app, api):
    parent = api.parent()
    kid = api.child(parent)
    made = [
        chore(api, parent, title=f"Chore {n}", assignee_ids=[kid.id], schedule=schedule)
        for n, (schedule, _english, _spanish) in enumerate(SCHEDULES)
    ]
    for item, (_schedule, english, _spanish) in zip(made, SCHEDULES, strict=True):
        assert item["schedule_text"] == english  # the API's words

    viewer = _signed_in(app, parent.username)
    assert sorted(_pill_texts(viewer.get("/chores").text)) == sorted(english for _s, english, _e in SCHEDULES)

    _ok(api.put("/families/language", parent, json={"language": "es"}))
    page = viewer.get("/chores").text
    assert sorted(_pill_texts(page)) == sorted(spanish for _s, _e, spanish in SCHEDULES)
    for _schedule, english, _spanish in SCHEDULES:
        assert english not in page
    # The chore's own page (its form) reads it back in Spanish; the API still answers in English.
    edit = viewer.get(f"/chores/{made[4]['id']}/edit").text
    assert "<span>Cada lun, mié y vie, para las 18:00</span>" in edit and "Every Mon" not in edit
    assert [c["schedule_text"] for c in api.get("/chores", parent).json() if c["id"] == made[4]["id"]] == [
        SCHEDULES[4][1]
    ]
    # The child's home: the chores it may do now, with their schedule.
    home = _signed_in(app, kid.username).get("/").text
    assert "De nuevo en cuanto se hace" in home and "Again as soon as it is done" not in home


def test_the_schedule_picker_reads_back_and_says_a_new_chore_in_spanish(visitor):
    parent = visitor()
    parent.parent_with_family()
    parent.api("PUT", "/families/language", json={"language": "es"})
    fields = {
        "title": "Trash",
        "reward_kind": "fixed",
        "reward": "1",
        "assignment_mode": "unassigned",
        "schedule_kind": "monthly_nth_weekday",
        "schedule_nth": "-1",
        "schedule_nth_weekday": "6",
        "schedule_due_time": "09:15",
    }
    parent.get("/chores/new")
    preview = parent.submit("/chores/new", {**fields, "action": "preview"})
    assert preview.status_code == 200, re.findall(r'-error">([^<]*)<', preview.text)
    assert "<span>Cada mes, el último domingo, para las 09:15</span>" in preview.text
    made = parent.submit("/chores/new", fields)
    assert made.url.path == "/chores"
    assert parent.flash() == "“Trash” está lista para los niños: Cada mes, el último domingo, para las 09:15."
    assert parent.api("GET", "/chores").json()[0]["schedule_text"] == "Monthly on the last Sunday by 9:15 am"


# -- the week page's messages ---------------------------------------------------------------------

CHICAGO = ZoneInfo("America/Chicago")
MONDAY_10AM = datetime(2027, 1, 4, 10, 0, tzinfo=CHICAGO)


@pytest.fixture
def spanish_week(app, visitor, tmp_path):
    """Monday 4 Jan 2027, 10:00 in Chicago: a Spanish family, Trash every Mon, Wed and Fri for its child."""
    path = tmp_path / "now"
    clock.follow_file(path)
    write_instant(path, MONDAY_10AM)
    parent = visitor()
    parent.parent_with_family()
    assert parent.api("PUT", "/families/timezone", json={"timezone": "America/Chicago"}).status_code == 200
    assert parent.api("PUT", "/families/language", json={"language": "es"}).status_code == 200
    name = parent.add_child()
    kid = next(c["id"] for c in parent.api("GET", "/users/my-family-children").json() if c["username"] == name)
    schedule = {"kind": "weekly", "weekdays": [0, 2, 4], "due_time": "18:00"}
    body = {
        "title": "Trash",
        "reward": "1.00",
        "assignment_mode": "single",
        "assignee_ids": [kid],
        "schedule": schedule,
    }
    assert parent.api("POST", "/chores", json=body).status_code == 201
    yield parent, name, kid
    clock.follow_file(None)


def _occurrence(parent, day: str) -> int:
    [found] = parent.api("GET", "/occurrences", params={"date_from": day, "date_to": day}).json()
    return found["id"]


def test_every_week_page_message_in_spanish(spanish_week):
    parent, name, kid = spanish_week
    page = parent.get("/week?start=2027-01-04").text
    assert "Semana del lun 4 ene 2027" in page

    wednesday = _occurrence(parent, "2027-01-06")
    parent.submit(f"/week/occurrences/{wednesday}/skip", {"start": "2027-01-04"})
    assert parent.flash() == f"Se saltó “Trash” de {name} el mié 6 ene."
    parent.submit(f"/week/occurrences/{wednesday}/skip", {"start": "2027-01-04"})
    assert (
        parent.flash() == "Esta tarea ya se saltó ese día: solo se puede saltar o posponer una que aún no se ha hecho."
    )
    parent.submit(f"/week/occurrences/{wednesday}/snooze", {"start": "2027-01-04", "days": "1"})
    assert (
        parent.flash() == "Esta tarea ya se saltó ese día: solo se puede saltar o posponer una que aún no se ha hecho."
    )

    friday = _occurrence(parent, "2027-01-08")
    parent.submit(f"/week/occurrences/{friday}/snooze", {"start": "2027-01-04", "days": "2"})
    assert parent.flash() == "Se pospuso “Trash”: ahora vence el dom 10 ene."
    parent.submit(f"/week/occurrences/{friday}/snooze", {"start": "2027-01-04", "days": "99"})  # a hand-made form
    assert parent.flash() == "Pospón de 1 a 28 días."

    parent.get("/week?start=2027-01-11")
    pause = {"start": "2027-01-11", "child_id": str(kid), "first_day": "2027-01-11", "last_day": "2027-01-12"}
    parent.submit("/week/pauses", pause)
    assert parent.flash() == f"{name} está en pausa del lun 11 ene al mar 12 ene: no le vence nada ni se le cobra nada."
    [ended] = re.findall(r'action="(/week/children/\d+/pauses/\d+/delete)"', parent.page.text)
    parent.submit(ended, {"start": "2027-01-11"})
    assert parent.flash() == "La pausa terminó: desde ahora las tareas vuelven a vencer."

    parent.get("/week")
    wrong = parent.submit("/week/pauses", {**pause, "first_day": "2027-01-12", "last_day": "2027-01-11"})
    assert field_error(wrong.text, "last_day") == "El último día no puede ser anterior al primero."
    long = parent.submit("/week/pauses", {**pause, "last_day": "2028-06-11"})
    assert field_error(long.text, "last_day") == "Una pausa dura como máximo 366 días."
    for text in (parent.page.text, page):
        assert not re.search(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d", text)


@pytest.mark.parametrize("state", ["done", "approved", "skipped", "missed"])
def test_each_refusal_of_a_skip_or_snooze_has_its_spanish(state):
    said = sentence(occurrences._not_open(SimpleNamespace(state=state)).message)
    assert i18n.translate(said, "es") != said
    assert i18n.translate(sentence(f"snooze 1 to {occurrences.MAX_SNOOZE_DAYS} days"), "es") == "Pospón de 1 a 28 días."


# -- the notification centre ----------------------------------------------------------------------


def _notification_texts(visitor: Visitor) -> list[str]:
    page = visitor.get("/notifications").text
    assert visitor.page.status_code == 200
    texts = re.findall(r'<p class="activity-text">(.*?)</p>', page, re.DOTALL)
    return [re.sub(r'<strong class="notification-new">.*?</strong>', "", text).strip() for text in texts]


def test_the_notification_centre_says_each_notification_in_the_page_s_language(app, api):
    feed = Feed(app, api)
    owner = f"<strong>{feed.owner.username}</strong>"
    told = _ok(api.get("/notifications", feed.kid, params={"limit": 100}))["notifications"]
    assert {"chore_approved", "chore_rejected", "adjustment_applied", "payout_recorded", "reward_approved"} <= {
        n["event"] for n in told
    }
    kid = _signed_in(app, feed.kid.username)
    texts = _notification_texts(kid)
    assert len(texts) == len(told)
    said = "\n".join(texts)
    for line in (
        f'{owner} aprobó <strong>Dishes</strong> para Ana <span class="amount-plus">+2,50{EURO}</span>',
        f"{owner} le devolvió <strong>Dishes</strong> a Ana",
        f"{owner} le entregó a Ana <strong>1,00{EURO}</strong>",
        f"{owner} rechazó un premio que pidió Ana",
        f"<strong>Ana</strong> alcanzó la meta de ahorro <strong>Bike</strong> de 5,00{EURO}",
    ):
        assert line in said, said
    for notification in told:
        assert _escaped(notification["text"]) not in said
    for word in ENGLISH:
        assert word not in said, f"{word!r} in\n{said}"
    # In English, as before: each notification's own text.
    _ok(api.put("/families/language", feed.other, json={"language": "en"}))
    assert _notification_texts(kid) == [_escaped(n["text"]) for n in told]


def test_the_time_step_s_reminders_in_spanish(app, api):
    from tests.chores.test_time_step import DAILY_6PM_FINE, MONDAY, make_chore

    parent = api.parent()
    kid = api.child(parent)
    _ok(api.put("/families/language", parent, json={"language": "es"}))
    make_chore(app, parent, MONDAY, title="Bed's", assignee_ids=[kid.id], schedule=DAILY_6PM_FINE)
    run_time_step(app.state.session_factory, MONDAY + timedelta(minutes=1))  # due: the child is told
    run_time_step(app.state.session_factory, MONDAY.replace(hour=19))  # overdue: the child and the parents
    texts = _notification_texts(_signed_in(app, kid.username))
    assert texts == [f"{kid.username}: “Bed&#39;s” está atrasada", "“Bed&#39;s” vence pronto"]
    assert _notification_texts(_signed_in(app, parent.username)) == [f"{kid.username}: “Bed&#39;s” está atrasada"]
    told = _ok(api.get("/notifications", kid))["notifications"]
    assert [n["text"] for n in told] == [
        f'{kid.username}: "Bed\'s" is overdue (it was due Mon 04 Jan 18:00)',
        '"Bed\'s" is due Mon 04 Jan 18:00',
    ]


# -- an allowance's words (rewards.allowance.describe) ---------------------------------------------


@pytest.mark.parametrize(
    ("fields", "spanish", "english"),
    [
        ({"period": "week", "weekday": "4", "at": "18:00"}, "cada viernes a las 18:00", "every Friday at 18:00"),
        (
            {"period": "month", "day_of_month": "31", "at": "07:30"},
            "cada mes el día 31 a las 07:30",
            "each month on day 31 at 07:30",
        ),
    ],
)
def test_an_allowance_in_words_on_spanish_pages(app, api, fields, spanish, english):
    parent = api.parent()
    kid = api.child(parent)
    _ok(api.put("/families/currency", parent, json={"currency": "EUR"}))
    _ok(api.put("/families/language", parent, json={"language": "es"}))
    viewer = _signed_in(app, parent.username)
    viewer.get(f"/children/{kid.id}")
    viewer.submit(f"/children/{kid.id}/allowance", {"amount": "2", **fields})
    [shown] = re.findall(r"data-allowance>([^<]*)<", viewer.page.text)
    assert shown.startswith(f"2,00{EURO} {spanish} · "), shown
    [told] = re.findall(r"data-allowance>(.*?)</p>", _signed_in(app, kid.username).get("/me/rewards").text, re.DOTALL)
    assert f"2,00{EURO} {spanish} · " in told and english not in told


def _history(visitor: Visitor, kid_id: int) -> list[str]:
    page = visitor.get(f"/children/{kid_id}").text
    assert visitor.page.status_code == 200
    return [
        re.sub(r"[ \t\r\n]+", " ", title).strip()
        for title in re.findall(r'<span class="ledger-title">(.*?)</span>', page, re.DOTALL)
    ]


def test_a_child_s_money_history_says_the_services_notes_in_spanish(app, api):
    feed = Feed(app, api)
    viewer = _signed_in(app, feed.other.username)
    titles = _history(viewer, feed.kid.id)
    assert "Premio: Cinema" in titles and f"Revertido: revierte la penalización de 1,00{EURO}" in titles
    assert [title for title in titles if title.startswith("Mesada")] == [
        title for title in titles if re.fullmatch(r"Mesada de la semana del \w+ \d+ \w+", title)
    ]
    assert len([title for title in titles if title.startswith("Mesada")]) >= 1
    said = "\n".join(titles)
    assert "Reward" not in said and "Allowance" not in said and "reverses" not in said
    # The Undo buttons name their rows the same way (a screen reader's label).
    undo = re.findall(r'<span class="visually-hidden">: (.*?)</span>', viewer.get(f"/children/{feed.kid.id}").text)
    assert any(label.startswith("Premio: Cinema ") for label in undo), undo
    assert any(label.startswith("Mesada de la semana del ") for label in undo), undo
    assert not [label for label in undo if "Reward" in label or "Allowance" in label or "Paid out" in label], undo
    # In English, as written.
    _ok(api.put("/families/language", feed.other, json={"language": "en"}))
    titles = _history(viewer, feed.kid.id)
    assert "Reward: Cinema" in titles and "Reversed: reverses the penalty of 1.00" in titles
    assert any(re.fullmatch(r"Allowance for the week of \d{4}-\d{2}-\d{2}", title) for title in titles)


@pytest.mark.parametrize(
    ("note", "spanish"),
    [
        ("Allowance for March 2027", "Mesada de marzo de 2027"),
        ("Allowance for the week of 2027-03-05", "Mesada de la semana del vie 5 mar"),
        ("Reward: Cinema", "Premio: Cinema"),
        ("reverses the approval for 'Dishes' of 2.50", "revierte la aprobación de “Dishes” de 2,50 €"),
        ("""reverses the bonus for "Bed's" of 1.00""", "revierte el bono por “Bed's” de 1,00 €"),
        ("reverses the payout of 3.00", "revierte el pago de 3,00 €"),
        ("a parent's own words", "a parent's own words"),
    ],
)
def test_the_notes_services_write_on_entries_in_spanish_and_as_written_in_english(note, spanish):
    from chores_tracker.web.activity_lines import ledger_note

    def money(amount: str) -> str:
        return amount.replace(".", ",") + " €"

    assert ledger_note(note, "es", money) == spanish
    assert ledger_note(note, "en", money) == note


# -- the worker's summaries: the daily digest, the review nudge; a disabled webhook ---------------------

# Words of those texts in English, none of which their Spanish has.
SUMMARY_ENGLISH = ("Today", " done", "approved", "waiting", "Balance", "balance", "review", "chore", "wait", "disabled",
                   "deliveries", "failed", "enable", "mended", "last:")  # fmt: skip


def _digests(app) -> None:
    """The family's digests at 07:00 Madrid today: the parent's and the child's."""
    from chores_tracker.reports.digest import send_digests

    madrid = ZoneInfo("Europe/Madrid")
    today = clock.now().astimezone(madrid).date()
    at = datetime.combine(today, time(7), tzinfo=madrid)
    assert send_digests(app.state.session_factory, max(at, clock.now().astimezone(madrid))) == 2


def test_the_daily_digest_in_spanish_with_the_page_s_amounts_and_as_written_in_english(app, api):
    parent = api.parent()
    kid = api.child(parent)
    other_kid = api.child(parent)
    _ok(api.put("/families/currency", parent, json={"currency": "EUR"}))
    _ok(api.put("/families/timezone", parent, json={"timezone": "Europe/Madrid"}))
    for who, name in ((kid, "Ana"), (other_kid, "Ben, Jr. 2")):
        _ok(api.client.patch(f"/api/v1/users/children/{who.id}", json={"display_name": name}, headers=parent.headers))
    for who in (parent, kid):
        _ok(api.put("/notifications/digest", who, json={"digest_hour": 7}))
    first = complete(api, kid, chore(api, parent, title="Dishes", reward="1.25", assignee_ids=[kid.id])["id"])
    complete(api, kid, chore(api, parent, title="Bins", reward="2.00", assignee_ids=[kid.id])["id"])
    approve(api, parent, first["id"])
    _ok(api.post("/adjustments/", parent, json={"child_id": other_kid.id, "amount": "-0.50", "reason": "x"}), 201)
    _ok(api.put("/families/language", parent, json={"language": "es"}))
    _digests(app)

    told = {who.id: _ok(api.get("/notifications", who))["notifications"] for who in (parent, kid)}
    assert [n["text"] for n in told[parent.id] if n["event"] == "daily_digest"] == [
        "Today: 2 done, 1 approved, 1 waiting for review. Balances: Ana 1.25, Ben, Jr. 2 -0.50."
    ], "the API keeps its English"
    parents_page = _notification_texts(_signed_in(app, parent.username))
    kids_page = _notification_texts(_signed_in(app, kid.username))
    assert parents_page[0] == (
        f"Hoy: 2 hechas, 1 aprobada, 1 esperando revisión. Saldos: Ana 1,25{EURO}, Ben, Jr. 2 −0,50{EURO}."
    )
    assert kids_page[0] == f"Hoy: 2 hechas, 1 aprobada, 1 esperando revisión. Tu saldo: 1,25{EURO}."
    for word in SUMMARY_ENGLISH:
        assert word not in parents_page[0] + kids_page[0], word
    # In English, as written.
    _ok(api.put("/families/language", parent, json={"language": "en"}))
    assert _notification_texts(_signed_in(app, kid.username))[0] == (
        "Today: 2 done, 1 approved, 1 waiting for review. Your balance: 1.25."
    )


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Today: 1 done, 0 approved, 1 waiting for review.", (1, 0, 1, None, None)),
        ("Today: 0 done, 1 approved, 0 waiting for review. Your balance: -2.00.", (0, 1, 0, None, "-2.00")),
        (
            "Today: 0 done, 1 approved, 0 waiting for review. Balances: Kid 3 10.00, Bo 0.00.",
            (0, 1, 0, (("Kid 3", "10.00"), ("Bo", "0.00")), None),
        ),
        # Not a digest this release writes (cut at its 500 characters, other words): shown as stored.
        ("Today: 1 done, 0 approved, 1 waiting for review. Balances: Ana 1.2", None),
        ("Today: 1 done, 0 approved, 1 waiting for review. Balances: Ana.", None),
        ("Today: 1 done. Balances: Ana 1.25.", None),
    ],
)
def test_a_digest_is_read_from_its_parts_or_shown_as_stored(text, parts):
    from chores_tracker.web.activity_lines import digest

    found = digest(text)
    said = None if found is None else (found.done, found.approved, found.waiting, found.balances, found.own)
    assert said == parts


@pytest.fixture
def nudged(app, api):
    from tests.notifications.test_nudges import add_json_channel, one_round
    from tests.support.receivers import http_receiver

    parent = api.parent()
    kid = api.child(parent)
    _ok(api.put("/families/language", parent, json={"language": "es"}))
    with http_receiver() as receiver:
        add_json_channel(app, parent.id, receiver, events=["chore_completed"])
        chores = [chore(api, parent, title=f"Chore {n}", assignee_ids=[kid.id])["id"] for n in range(3)]
        complete(api, kid, chores[0])
        assert one_round(app).delivered == 1
        start = clock.now()
        with clock.told(start + timedelta(minutes=5)):
            complete(api, kid, chores[1])
            complete(api, kid, chores[2])
            assert one_round(app).delivered == 0
        with clock.told(start + timedelta(minutes=31)):
            assert one_round(app).delivered == 1
        receiver.wait_for(2)
    return parent


def test_the_review_nudge_in_spanish_and_as_written_in_english(app, api, nudged):
    told = _ok(api.get("/notifications", nudged))["notifications"]
    assert [n["text"] for n in told if n["event"] == "review_nudge"] == ["3 chores wait for your review"]
    texts = _notification_texts(_signed_in(app, nudged.username))
    assert texts[0] == "3 tareas esperan tu revisión", texts
    for word in SUMMARY_ENGLISH:
        assert word not in texts[0], word
    _ok(api.put("/families/language", nudged, json={"language": "en"}))
    assert _notification_texts(_signed_in(app, nudged.username))[0] == "3 chores wait for your review"


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("1 chore waits for your review", 1),
        ("12 chores wait for your review", 12),
        ("1 chores wait for your review", None),
        ("2 chores waits for your review", None),
        ("Chores wait for review", None),
    ],
)
def test_a_nudge_is_read_from_its_count(text, count):
    from chores_tracker.web.activity_lines import nudge

    assert nudge(text) == count


def test_a_disabled_webhook_told_in_spanish_and_as_written_in_english(database_factory, build_app):
    from fastapi.testclient import TestClient

    from chores_tracker.notifications.delivery import run_round
    from tests.support.databases import clear_all_tables
    from tests.support.receivers import http_receiver

    database = database_factory("sqlite")
    clear_all_tables(database.engine)
    app = build_app(database, webhook_allow_private_networks=True)
    with TestClient(app) as client, http_receiver() as receiver:
        api = Api(client)
        parent = api.parent()
        kid = api.child(parent)
        _ok(api.put("/families/language", parent, json={"language": "es"}))
        _ok(api.post("/webhooks", parent, json={"url": f"http://{receiver.url}/in"}), 201)
        receiver.down = True
        complete(api, kid, chore(api, parent, assignee_ids=[kid.id])["id"])
        changes = {"webhook_max_consecutive_failures": 2, "notification_backoff_seconds": 0}
        for _ in range(2):
            assert run_round(app.state.session_factory, app.state.settings.model_copy(update=changes)).failed == 1
        told = [n for n in _ok(api.get("/notifications", parent))["notifications"] if n["event"] == "webhook_disabled"]
        said = "The webhook to 127.0.0.1 was disabled after 2 failed deliveries in a row (last: answered 503); "
        assert [n["text"] for n in told] == [said + "enable it again once it is mended."]
        texts = _notification_texts(_signed_in(app, parent.username))
        assert texts[0] == (
            "El webhook a 127.0.0.1 se desactivó tras 2 entregas fallidas seguidas (la última: answered 503); "
            "vuelve a activarlo cuando esté arreglado."
        )
        _ok(api.put("/families/language", parent, json={"language": "en"}))
        assert _notification_texts(_signed_in(app, parent.username))[0] == _escaped(told[0]["text"])
