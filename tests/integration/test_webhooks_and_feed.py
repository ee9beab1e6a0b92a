"""Issue 16 in one process: frozen event bodies, the events feed, deliveries and redelivery, self-service
subscriptions and secret rotation, automatic disabling, address checks with the tests' DNS, purging."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail
from django.utils import timezone

from tests import factories
from tests.jobs.support import documented_verifier
from tracker import events, feed, services, webhooks
from tracker.models import OutboxEvent, WebhookDelivery, WebhookSubscription
from tracker.webhook_urls import check_target, is_allowed


def _deliver_all(event_ids=None) -> list[str | None]:
    ids = webhooks.fan_out(event_ids or OutboxEvent.objects.values_list("pk", flat=True))
    return [webhooks.deliver(pk) for pk in ids]


# --- 1. An event is a fact at a moment: frozen body, byte-identical deliveries ---------------------------

def test_a_retry_after_deletion_sends_the_same_bytes_as_the_first_delivery(activity, coordinator_actor, receiver):
    subscription = WebhookSubscription.objects.create(name="R", url=receiver.url, events=[events.ACTIVITY_UPDATED])
    services.activity_update(actor=coordinator_actor, activity=activity, changes={"title": "First title"})
    event = OutboxEvent.objects.get(event_type=events.ACTIVITY_UPDATED)
    receiver.answers = [500]
    _deliver_all([event.pk])
    first = receiver.requests[0].body
    assert json.loads(first)["activity"]["title"] == "First title"
    assert len(json.loads(first)["activity"]) > 20  # the whole shape, not a summary

    services.activity_update(actor=coordinator_actor, activity=activity, changes={"title": "Second title"})
    services.activity_delete(actor=coordinator_actor, activity=activity)
    WebhookDelivery.objects.filter(event=event).update(next_attempt_at=timezone.now())
    webhooks.deliver(WebhookDelivery.objects.get(event=event, subscription=subscription).pk)
    assert receiver.requests[1].body == first
    # The stored body is what went out, and the feed serves the same document.
    assert OutboxEvent.objects.get(pk=event.pk).body.encode() == first


def test_the_deleted_event_carries_the_activity_as_it_was(activity, coordinator_actor):
    services.activity_delete(actor=coordinator_actor, activity=activity)
    body = json.loads(OutboxEvent.objects.get(event_type=events.ACTIVITY_DELETED).body)
    assert body["activity"]["title"] == activity.title
    assert body["activity"]["responsible_body"] == activity.responsible_body.code


# --- 2. The events feed -----------------------------------------------------------------------------------

def _feed(api, **params):
    response = api.get("/api/v1/events/", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_feed_lists_every_event_once_in_order_and_pages_by_cursor(read_api_key, activity, coordinator_actor):
    for n in range(5):
        services.activity_update(actor=coordinator_actor, activity=activity, changes={"title": f"Title {n}"})
    page = _feed(read_api_key, limit=3)
    assert page["has_more"] is True and len(page["events"]) == 3
    rest = _feed(read_api_key, after=page["next_cursor"], limit=100)
    assert rest["has_more"] is False
    seen = [item["event"]["id"] for item in page["events"] + rest["events"]]
    assert seen == [str(pk) for pk in OutboxEvent.objects.order_by("position").values_list("pk", flat=True)]
    assert len(seen) == len(set(seen)) == 5
    titles = [item["event"]["activity"]["title"] for item in page["events"] + rest["events"]]
    assert titles == [f"Title {n}" for n in range(5)]
    # Nothing new: the same cursor comes back.
    assert _feed(read_api_key, after=rest["next_cursor"]) == {"events": [], "next_cursor": rest["next_cursor"],
                                                              "has_more": False}


def test_an_event_that_commits_late_is_found_after_the_cursor(read_api_key, activity, coordinator_actor):
    services.activity_update(actor=coordinator_actor, activity=activity, changes={"title": "Seen"})
    cursor = _feed(read_api_key)["next_cursor"]
    # A transaction that began earlier commits now: its event's time is before the one already read.
    late = events.emit(events.ACTIVITY_UPDATED, activity, {"changed": ["title"]})
    OutboxEvent.objects.filter(pk=late.pk).update(created_at=timezone.now() - dt.timedelta(minutes=5))
    after = _feed(read_api_key, after=cursor)
    assert [item["event"]["id"] for item in after["events"]] == [str(late.pk)]


def test_the_feed_filters_by_type_and_activity(read_api_key, activity, coordinator_actor, priorities, body):
    other = factories.ActivityFactory(priority=priorities[0], responsible_body=body)
    services.activity_transition(actor=coordinator_actor, activity=activity, status="in_progress", note="Go")
    services.activity_update(actor=coordinator_actor, activity=other, changes={"title": "Other"})
    by_type = _feed(read_api_key, type=events.ACTIVITY_STATUS_CHANGED)["events"]
    assert {item["event"]["type"] for item in by_type} == {events.ACTIVITY_STATUS_CHANGED}
    by_activity = _feed(read_api_key, activity=other.pk)["events"]
    assert {item["event"]["activity"]["id"] for item in by_activity} == {other.pk}


@pytest.mark.parametrize(("name", "value"), [("after", "-1"), ("after", "abc"), ("limit", "0"), ("limit", "501"),
                                             ("type", "nope"), ("activity", "x")])
def test_bad_feed_parameters_answer_400_naming_the_parameter(read_api_key, name, value):
    response = read_api_key.get("/api/v1/events/", {name: value})
    assert response.status_code == 400
    assert name in response.json()["errors"]


def test_internal_events_are_neither_in_the_feed_nor_sent(read_api_key, receiver):
    subscription = WebhookSubscription.objects.create(name="All", url=receiver.url)
    events.emit(events.WEBHOOK_DISABLED, None, {"subscription": {"id": 1}})
    assert _feed(read_api_key)["events"] == []
    assert _deliver_all() == []
    assert not WebhookDelivery.objects.filter(subscription=subscription).exists()


@pytest.mark.parametrize("count", [10, 100])
def test_the_feed_costs_the_same_queries_for_10_or_100_events(read_api_key, activity, count,
                                                             django_assert_max_num_queries):
    OutboxEvent.objects.bulk_create([OutboxEvent(event_type=events.ACTIVITY_UPDATED, activity=activity,
                                                 body=json.dumps({"n": n})) for n in range(count)])
    feed.sequence()
    with django_assert_max_num_queries(8):
        page = _feed(read_api_key, limit=500)
    assert len(page["events"]) == count


def test_purge_keeps_retention_and_an_old_cursor_answers_410(read_api_key, settings, activity, receiver):
    settings.EVENT_RETENTION_DAYS, settings.WEBHOOK_DELIVERY_RETENTION_DAYS = 90, 30
    subscription = WebhookSubscription.objects.create(name="R", url=receiver.url)
    old = timezone.now() - dt.timedelta(days=91)
    for n in range(3):
        events.emit(events.ACTIVITY_UPDATED, activity, {"n": n})
    _deliver_all()
    ids = list(OutboxEvent.objects.order_by("position").values_list("pk", flat=True))
    OutboxEvent.objects.filter(pk__in=ids[:2]).update(created_at=old)
    WebhookDelivery.objects.filter(event_id__in=ids[:2]).update(created_at=old)
    pending = WebhookDelivery.objects.get(event_id=ids[2], subscription=subscription)
    WebhookDelivery.objects.filter(pk=pending.pk).update(created_at=old, status=WebhookDelivery.Status.PENDING)
    result = webhooks.purge()
    assert result == {"deliveries": 2, "events": 2}
    assert list(OutboxEvent.objects.values_list("pk", flat=True)) == [ids[2]]
    assert WebhookDelivery.objects.filter(pk=pending.pk).exists()  # pending deliveries are never purged
    response = read_api_key.get("/api/v1/events/", {"after": "1"})
    assert response.status_code == 410
    assert response.json()["code"] == "events_purged"


# --- 3. Self-service subscriptions, rotation, deliveries ----------------------------------------------------

def test_a_key_with_the_webhooks_scope_manages_only_its_own(hook_api, other_hook_api, coordinator_api, write_api,
                                                            receiver):
    made = hook_api.post("/api/v1/webhooks/", {"name": "MoD", "url": receiver.url}, format="json")
    assert made.status_code == 201, made.content
    mine = made.json()
    assert mine["secret"] and mine["owner"] is not None
    assert [row["id"] for row in hook_api.get("/api/v1/webhooks/").json()["results"]] == [mine["id"]]
    assert other_hook_api.get("/api/v1/webhooks/").json()["results"] == []
    assert other_hook_api.get(f"/api/v1/webhooks/{mine['id']}/").status_code == 404
    assert other_hook_api.patch(f"/api/v1/webhooks/{mine['id']}/", {"active": False},
                                format="json").status_code == 404
    assert write_api.get("/api/v1/webhooks/").status_code == 403  # no webhooks scope
    assert [row["id"] for row in coordinator_api.get("/api/v1/webhooks/").json()["results"]] == [mine["id"]]
    assert hook_api.delete(f"/api/v1/webhooks/{mine['id']}/").status_code == 204


def test_rotation_signs_with_both_secrets_during_the_overlap(hook_api, receiver, activity):
    verify = documented_verifier()
    made = hook_api.post("/api/v1/webhooks/", {"name": "MoD", "url": receiver.url}, format="json").json()
    old_secret = made["secret"]
    rotated = hook_api.post(f"/api/v1/webhooks/{made['id']}/rotate-secret/", {"overlap_hours": 1}, format="json")
    assert rotated.status_code == 200, rotated.content
    new_secret = rotated.json()["secret"]
    assert new_secret != old_secret and rotated.json()["previous_secret_expires_at"]
    events.emit(events.ACTIVITY_UPDATED, activity, {"changed": ["title"]})
    _deliver_all()
    request = receiver.requests[-1]
    assert request.headers["X-Tracker-Signature"].count("sha256=") == 2
    assert verify(old_secret, request.headers, request.body)  # a receiver not yet switched
    assert verify(new_secret, request.headers, request.body)  # a receiver already switched
    assert verify([new_secret, old_secret], request.headers, request.body)
    assert not verify("wrong", request.headers, request.body)
    # After the overlap only the new secret signs.
    WebhookSubscription.objects.filter(pk=made["id"]).update(previous_secret_expires_at=timezone.now())
    events.emit(events.ACTIVITY_UPDATED, activity, {"changed": ["title"]})
    _deliver_all()
    last = receiver.requests[-1]
    assert last.headers["X-Tracker-Signature"].count("sha256=") == 1
    assert verify(new_secret, last.headers, last.body) and not verify(old_secret, last.headers, last.body)


def test_deliveries_are_listed_with_attempts_and_redelivered_byte_for_byte(hook_api, receiver, activity):
    made = hook_api.post("/api/v1/webhooks/", {"name": "MoD", "url": receiver.url}, format="json").json()
    events.emit(events.ACTIVITY_UPDATED, activity, {"changed": ["title"]})
    receiver.answers = [503]
    _deliver_all()
    listed = hook_api.get(f"/api/v1/webhooks/{made['id']}/deliveries/").json()["results"]
    assert len(listed) == 1 and listed[0]["attempt_log"][0]["status_code"] == 503
    assert listed[0]["event_cursor"] == "1"
    again = hook_api.post(f"/api/v1/webhooks/{made['id']}/deliveries/{listed[0]['id']}/redeliver/")
    assert again.status_code == 202 and again.json() == {"queued": 1}
    webhooks.deliver(listed[0]["id"])
    assert receiver.requests[1].body == receiver.requests[0].body
    assert receiver.requests[1].headers["X-Tracker-Event-Id"] == receiver.requests[0].headers["X-Tracker-Event-Id"]


# --- 4. Automatic disabling ---------------------------------------------------------------------------------

def test_a_receiver_failing_for_three_days_is_switched_off_and_told(hook_api, hook_key, receiver, activity,
                                                                     coordinator, settings, coordinator_api):
    settings.WEBHOOK_DISABLE_AFTER_HOURS = 72
    coordinator.email = "coordinator@example.org"
    coordinator.save()
    made = hook_api.post("/api/v1/webhooks/", {"name": "MoD", "url": receiver.url}, format="json").json()
    receiver.answers = [500] * 10
    events.emit(events.ACTIVITY_UPDATED, activity, {"changed": ["title"]})
    _deliver_all()
    subscription = WebhookSubscription.objects.get(pk=made["id"])
    assert subscription.active and subscription.failing_since is not None  # one failure: still on
    WebhookSubscription.objects.filter(pk=made["id"]).update(failing_since=timezone.now() - dt.timedelta(hours=73))
    events.emit(events.ACTIVITY_UPDATED, activity, {"changed": ["title"]})
    _deliver_all()
    subscription.refresh_from_db()
    assert not subscription.active
    assert "72 hours" in subscription.disabled_reason and subscription.disabled_at is not None
    notice = OutboxEvent.objects.get(event_type=events.WEBHOOK_DISABLED)
    assert notice.payload["subscription"]["id"] == made["id"]
    # Re-enabling replays nothing unless asked.
    missed = events.emit(events.ACTIVITY_UPDATED, activity, {"changed": ["title"]})
    _deliver_all([missed.pk])
    count = len(receiver.requests)
    assert hook_api.patch(f"/api/v1/webhooks/{made['id']}/", {"active": True}, format="json").status_code == 200
    assert not WebhookDelivery.objects.filter(event=missed, subscription_id=made["id"]).exists()
    assert webhooks.sweep() == []
    assert len(receiver.requests) == count
    # Asked: the range of the feed is sent, including the event it never had a delivery for.
    receiver.answers = []
    position = OutboxEvent.objects.get(pk=missed.pk).position
    asked = hook_api.post(f"/api/v1/webhooks/{made['id']}/redeliver/", {"after": str(position - 1)}, format="json")
    assert asked.status_code == 202 and asked.json() == {"queued": 1}
    for delivery_id in webhooks.sweep():
        webhooks.deliver(delivery_id)
    assert receiver.requests[-1].headers["X-Tracker-Event-Id"] == str(missed.pk)


def test_the_disabling_email_reaches_coordinators_and_the_clients_contact(hook_key, coordinator, receiver,
                                                                         django_capture_on_commit_callbacks):
    coordinator.email = "coordinator@example.org"
    coordinator.save()
    subscription = WebhookSubscription.objects.create(name="MoD", url=receiver.url, owner=hook_key[0])
    with django_capture_on_commit_callbacks(execute=True):
        assert webhooks.disable_subscription(subscription, reason="Every delivery failed for 72 hours.")
    # One e-mail each: the client's contact does not see the staff's addresses.
    assert sorted(message.to for message in mail.outbox) == [["coordinator@example.org"], ["ops@mod.example.org"]]
    for message in mail.outbox:
        assert "72 hours" in message.body and message.subject == "Webhook subscription switched off: MoD"
        html = message.alternatives[0][0]
        assert "<p>Why: Every delivery failed for 72 hours.</p>" in html


def test_the_disabling_email_is_in_each_reader_s_language(hook_key, coordinator, receiver,
                                                          django_capture_on_commit_callbacks):
    coordinator.email = "coordinator@example.org"
    coordinator.save()
    coordinator.staff_profile.language = "ru"
    coordinator.staff_profile.save()
    subscription = WebhookSubscription.objects.create(name="MoD <ops>", url=receiver.url, owner=hook_key[0])
    with django_capture_on_commit_callbacks(execute=True):
        assert webhooks.disable_subscription(subscription, reason="Every delivery failed for 72 hours.")
    by_address = {message.to[0]: message for message in mail.outbox}
    russian, english = by_address["coordinator@example.org"], by_address["ops@mod.example.org"]
    assert russian.subject == "Подписка на вебхуки отключена: MoD <ops>"
    assert russian.body.startswith("Система перестала отправлять события")
    assert english.body.startswith("The tracker stopped sending events")
    assert "MoD &lt;ops&gt;" in russian.alternatives[0][0]  # the HTML escapes what a client named


# --- 5. Address checks --------------------------------------------------------------------------------------

@pytest.mark.parametrize("address", ["100.100.100.200", "169.254.169.254", "10.0.0.1", "192.168.1.1", "127.0.0.1",
                                     "0.0.0.0", "::1", "fd00::1", "::ffff:10.0.0.1", "192.0.2.1", "198.18.0.1",
                                     "224.0.0.1"])
def test_only_global_addresses_pass_without_an_allow_list(settings, address):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    assert not is_allowed(address)


def test_the_allow_list_permits_exactly_its_networks(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    assert is_allowed("127.0.0.1") and not is_allowed("127.0.0.2") and not is_allowed("10.0.0.1")
    assert is_allowed("93.184.215.14")


def test_a_name_with_one_internal_address_is_refused_over_the_api(coordinator_api, settings, dns):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    dns["metadata.test"] = ["100.100.100.200"]
    dns["mixed.test"] = ["93.184.215.14", "10.1.2.3"]
    for host in ("metadata.test", "mixed.test"):
        response = coordinator_api.post("/api/v1/webhooks/", {"name": "X", "url": f"https://{host}/hook"},
                                        format="json")
        assert response.status_code == 400 and "url" in response.json()["errors"]
    assert not WebhookSubscription.objects.exists()


def test_the_delivery_connects_to_the_address_it_checked(settings, dns, receiver, activity):
    """The name is resolved once per delivery: a re-pointing after the check is never asked for."""
    from tests import dns as table

    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    port = receiver.url.split(":")[2].split("/")[0]
    # First answer (the save's check), then the delivery's, then what an attacker re-points it to.
    dns["rebind.test"] = [["127.0.0.1"], ["127.0.0.1"], ["10.0.0.7"]]
    subscription = WebhookSubscription(name="R", url=f"http://rebind.test:{port}/hooks")
    subscription.full_clean(exclude=["events"])
    subscription.save()
    events.emit(events.ACTIVITY_UPDATED, activity, {"changed": ["title"]})
    assert _deliver_all() == [WebhookDelivery.Status.DELIVERED]
    assert [host for host, _ in table.ASKED] == ["rebind.test", "rebind.test"]
    assert receiver.requests[0].headers["Host"] == f"rebind.test:{port}"
    # The next delivery meets the re-pointed name: refused, nothing sent.
    events.emit(events.ACTIVITY_UPDATED, activity, {"changed": ["title"]})
    WebhookSubscription.objects.filter(pk=subscription.pk).update(failing_since=None)
    _deliver_all()
    assert len(receiver.requests) == 1
    assert "Refused target" in WebhookDelivery.objects.order_by("-id").first().last_error


def test_https_goes_to_the_checked_address_with_the_host_name_for_sni_and_certificate(settings, dns, tmp_path,
                                                                                    monkeypatch, activity):
    import ssl

    from tests.jobs.support import running_receiver

    cert, key = _self_signed("secure.test", tmp_path)
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    names: list[str | None] = []
    server_context.sni_callback = lambda sock, name, ctx: names.append(name)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the tracker trusts this test's own certificate
    dns["secure.test"] = ["127.0.0.1"]
    with running_receiver(tls=server_context) as receiver:
        port = receiver.url.split(":")[2].split("/")[0]
        WebhookSubscription.objects.create(name="TLS", url=f"https://secure.test:{port}/hooks")
        events.emit(events.ACTIVITY_UPDATED, activity, {"changed": ["title"]})
        assert _deliver_all() == [WebhookDelivery.Status.DELIVERED]
        assert names == ["secure.test"]
        assert receiver.requests[0].headers["Host"] == f"secure.test:{port}"
        # The same server named by another name fails the certificate check: nothing is accepted blindly.
        dns["other.test"] = ["127.0.0.1"]
        WebhookSubscription.objects.all().delete()
        WebhookSubscription.objects.create(name="TLS2", url=f"https://other.test:{port}/hooks")
        events.emit(events.ACTIVITY_UPDATED, activity, {"changed": ["title"]})
        _deliver_all()
        assert len(receiver.requests) == 1
        assert "CERTIFICATE" in WebhookDelivery.objects.order_by("-id").first().last_error.upper()


def test_check_target_names_the_address_to_connect_to(dns):
    dns["hooks.test"] = ["127.0.0.1"]
    target = check_target("https://hooks.test:8443/in?x=1")
    assert (target.host, target.port, target.address, target.path) == ("hooks.test", 8443, "127.0.0.1", "/in?x=1")


def _self_signed(name: str, folder):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture
def read_api_key(db):
    from tests.api.conftest import client_with_key
    from tracker.models import ApiClient

    return client_with_key(factories.make_api_client("feed-reader", ApiClient.Scope.READ)[1])
