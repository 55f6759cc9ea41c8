# Copyright (c) 2026 mailfleet.stack maintainers
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from conftest import FILES
from mailfleet_bulk import policy
from mailfleet_bulk.policy import (
    Config,
    ConfigError,
    MxCache,
    Policy,
    load_config,
    parse_requests,
    serve,
)
from mailfleet_bulk.suppression import SuppressionList

RAW = {
    "pools": {"main": ["bulk_ip1", "bulk_ip2"], "news": ["bulk_ip3"]},
    "domains": {"example.com": "main", "news.example.org": "news"},
    "bounce_domains": {
        "example.com": "bounces.example.com",
        "news.example.org": "bounces.news.example.org",
    },
    "providers": {"google": {"domains": ["gmail.test"]}},
    "classes": ["google", "microsoft", "default"],
    "suppression_db": "/var/lib/mailfleet-bulk/suppression.sqlite",
    "verp_secret_file": "/var/lib/mailfleet-bulk/verp.secret",
    "mx_lookup": False,
    "mx_timeout": 2.0,
}


def rcpt(
    recipient: str, sender: str = "news@example.com", instance: str = "a1"
) -> dict:
    return {
        "request": "smtpd_access_policy",
        "protocol_state": "RCPT",
        "sender": sender,
        "recipient": recipient,
        "recipient_count": "0",
        "instance": instance,
    }


def make(
    suppressed: dict[str, str] | None = None,
    mx: dict[str, list[str]] | None = None,
    raw: dict | None = None,
) -> Policy:
    listed = suppressed or {}
    lookup = None if mx is None else (lambda domain: mx.get(domain, []))
    return Policy(load_config(raw or RAW), listed.get, lookup)


@pytest.fixture
def config() -> Config:
    return load_config(RAW)


def test_routes_to_an_address_of_the_pool_and_the_provider_class() -> None:
    assert make().decide(rcpt("reader@gmail.test")) in {
        "FILTER bulk_ip1_google:",
        "FILTER bulk_ip2_google:",
    }
    assert make().decide(rcpt("kim@example.net")) in {
        "FILTER bulk_ip1_default:",
        "FILTER bulk_ip2_default:",
    }


def test_a_built_in_provider_domain_keeps_its_class() -> None:
    assert make().decide(rcpt("jo@outlook.com")).endswith("_microsoft:")


def test_a_class_without_shaping_is_sent_as_default() -> None:
    # yahoo is a built-in class, but this node's configuration shapes no yahoo.
    assert make().decide(rcpt("jo@yahoo.com")).endswith("_default:")


def test_the_mx_host_decides_for_a_hosted_domain() -> None:
    mx = {"shop.example": ["aspmx.l.google.com", "alt1.aspmx.l.google.com"]}
    assert make(mx=mx).decide(rcpt("ann@shop.example")).endswith("_google:")
    assert make().decide(rcpt("ann@shop.example")).endswith("_default:")


def test_fc29_hosted_domains_are_routed_to_their_provider_transport() -> None:
    # FC-29's minimal input: googlemail.com shaped as gmail.com, and the
    # custom domains hosted at Google and Microsoft shaped as theirs.
    mx = {
        "example.org": ["aspmx.l.google.com"],
        "example.net": ["example-net.mail.protection.outlook.com"],
    }
    raw = RAW | {"providers": {}}
    expected = {
        "a@gmail.com": "google",
        "a@googlemail.com": "google",
        "a@example.org": "google",
        "a@example.net": "microsoft",
    }
    for recipient, klass in expected.items():
        action = make(mx=mx, raw=raw).decide(rcpt(recipient))
        assert action.endswith(f"_{klass}:"), (recipient, action)


def test_a_recipient_always_leaves_by_the_same_address() -> None:
    first = make().decide(rcpt("steady@example.net", instance="m1"))
    for n in range(5):
        assert make().decide(rcpt("steady@example.net", instance=f"m{n}")) == first


def test_recipients_are_spread_over_the_pool() -> None:
    counts = Counter(make().decide(rcpt(f"reader{n}@example.net")) for n in range(400))
    assert set(counts) == {"FILTER bulk_ip1_default:", "FILTER bulk_ip2_default:"}
    # sha256 is uniform: 400 draws land within 150..250 on each side
    # far beyond any plausible chance; these recipients give 199 and 201.
    assert all(150 <= count <= 250 for count in counts.values()), counts


def test_a_second_recipient_of_a_message_is_deferred_to_a_new_transaction() -> None:
    service = make()
    assert service.decide(rcpt("a@example.net", instance="m1")).startswith("FILTER ")
    assert service.decide(rcpt("B@Example.NET", instance="m1")) == (
        "452 4.5.3 One recipient per campaign message: "
        "send <B@example.net> in a new transaction"
    )
    assert service.decide(rcpt("B@example.net", instance="m2")).startswith("FILTER ")


def test_a_refused_recipient_does_not_use_up_the_message() -> None:
    service = make(suppressed={"gone@example.net": "hard"})
    assert service.decide(rcpt("gone@example.net")).startswith("550 ")
    assert service.decide(rcpt("here@example.net")).startswith("FILTER ")


def test_a_suppressed_recipient_is_refused_with_the_reason() -> None:
    service = make(suppressed={"Jo@example.net": "complaint"})
    assert service.decide(rcpt("Jo@EXAMPLE.net")) == (
        "550 5.7.1 <Jo@example.net> is on the suppression list (complaint); "
        "take it off the campaign list"
    )
    # The local part is case-sensitive (RFC 5321 section 2.4).
    assert service.decide(rcpt("jo@example.net", instance="m2")).startswith("FILTER ")


def test_a_subdomain_sender_uses_the_pool_of_its_nearest_bound_parent() -> None:
    service = make()
    assert service.decide(rcpt("x@example.net", sender="a@mail.news.example.org")) in {
        "FILTER bulk_ip3_default:"
    }
    assert service.decide(
        rcpt("x@example.net", sender="a@Promo.Example.COM", instance="m2")
    ).startswith("FILTER bulk_ip")


def test_a_sender_without_a_pool_is_refused() -> None:
    assert make().decide(rcpt("x@example.net", sender="a@example.org")) == (
        "550 5.7.1 Sender domain example.org is not bound to a sending pool on this node"
    )
    # A bound name's parent is not bound by it.
    assert make().decide(rcpt("x@example.net", sender="a@org")).startswith("550 ")


def test_reports_to_a_bounce_domain_go_to_the_bounce_pipe() -> None:
    # Bounces come from the null sender, complaints from the provider.
    for sender in ["", "fbl@feedback.example.net"]:
        service = make()
        assert (
            service.decide(rcpt("b+tok@Bounces.Example.com", sender=sender)) == "DUNNO"
        )
        # More reports may share the message.
        assert service.decide(rcpt("b@bounces.example.com", sender=sender)) == "DUNNO"
    # A campaign recipient may not; from the null sender it is not routed
    # at all (DUNNO), so it cannot carry the report off either.
    service = make()
    service.decide(rcpt("b+tok@bounces.example.com", sender="fbl@feedback.example.net"))
    assert service.decide(
        rcpt("x@example.net", sender="fbl@feedback.example.net")
    ).startswith("452 4.5.3 ")


def test_a_report_never_joins_a_campaign_message() -> None:
    service = make()
    assert service.decide(rcpt("x@example.net")).startswith("FILTER ")
    assert service.decide(rcpt("b+tok@bounces.example.com")) == (
        "452 4.5.3 One recipient per campaign message: "
        "send <b+tok@bounces.example.com> in a new transaction"
    )


def test_the_null_sender_and_other_stages_are_left_to_postfix() -> None:
    assert make().decide(rcpt("x@example.net", sender="")) == "DUNNO"
    request = rcpt("x@example.net") | {"protocol_state": "END-OF-MESSAGE"}
    assert make().decide(request) == "DUNNO"


def test_any_failure_defers() -> None:
    def broken(address: str) -> str | None:
        raise OSError("disk gone")

    logged: list[str] = []
    service = Policy(load_config(RAW), broken, None, logged.append)
    assert service.decide(rcpt("x@example.net")) == policy.TEMPFAIL
    assert logged == ["error: OSError: disk gone; deferred recipient=<x@example.net>"]
    assert make().decide({"request": "junk"}) == policy.TEMPFAIL
    assert make().decide(rcpt("no-domain")) == policy.TEMPFAIL


def test_a_missing_suppression_list_defers_rather_than_reads_as_empty(
    tmp_path: Path,
) -> None:
    lazy = policy._LazyList(str(tmp_path / "missing.sqlite"))
    service = Policy(load_config(RAW), lazy)
    assert service.decide(rcpt("x@example.net")) == policy.TEMPFAIL
    assert not (tmp_path / "missing.sqlite").exists()


def test_the_suppression_list_on_disk_is_read_as_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "suppression.sqlite"
    with SuppressionList(path) as store:
        service = Policy(load_config(RAW), policy._LazyList(str(path)))
        assert service.decide(rcpt("jo@example.net", instance="m1")).startswith(
            "FILTER"
        )
        store.add("jo@example.net", "unsubscribed by phone")
        assert service.decide(rcpt("jo@example.net", instance="m2")) == (
            "550 5.7.1 <jo@example.net> is on the suppression list "
            "(unsubscribed by phone); take it off the campaign list"
        )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"pools": {"main": []}}, "pools.main"),
        ({"pools": {"main": "bulk_ip1"}}, "pools.main"),
        ({"domains": {"example.com": "nowhere"}}, "domains.example.com"),
        ({"classes": ["google"]}, "classes"),
        ({"mx_timeout": 0}, "mx_timeout"),
        ({"mx_timeout": True}, "mx_timeout"),
        ({"mx_lookup": "yes"}, "mx_lookup"),
        ({"providers": {"Bad Name": {}}}, "providers"),
        ({"suppression_db": None}, "suppression_db"),
    ],
)
def test_a_bad_configuration_names_the_field(change: dict, field: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(RAW | change)
    assert error.value.field == field
    assert str(error.value).startswith(f"policy configuration {field}: ")


def test_a_missing_field_is_named() -> None:
    raw = dict(RAW)
    del raw["pools"]
    with pytest.raises(ConfigError, match=r"^policy configuration pools: missing$"):
        load_config(raw)


def test_requests_are_read_until_the_empty_line() -> None:
    stream = io.BytesIO(
        b"request=smtpd_access_policy\nprotocol_state=RCPT\nrecipient=a@b.example\n\n"
        b"request=smtpd_access_policy\nsender=\n\n"
        b"request=unfinished\n"
    )
    assert list(parse_requests(stream)) == [
        {
            "request": "smtpd_access_policy",
            "protocol_state": "RCPT",
            "recipient": "a@b.example",
        },
        {"request": "smtpd_access_policy", "sender": ""},
    ]


@pytest.mark.parametrize(
    "data", [b"no equals sign\n\n", b"name=" + b"x" * (64 * 1024) + b"\n\n"]
)
def test_a_stream_that_is_not_the_protocol_ends(data: bytes) -> None:
    with pytest.raises(ValueError):
        list(parse_requests(io.BytesIO(data)))


def test_serve_answers_each_request() -> None:
    stream = b"".join(
        "".join(f"{k}={v}\n" for k, v in request.items()).encode() + b"\n"
        for request in [rcpt("a@example.net"), rcpt("b@example.net")]
    )
    out = io.BytesIO()
    serve(make(), io.BytesIO(stream), out)
    first, second, rest = out.getvalue().split(b"\n\n")
    assert first in {
        b"action=FILTER bulk_ip1_default:",
        b"action=FILTER bulk_ip2_default:",
    }
    assert second.startswith(b"action=452 4.5.3 ")
    assert rest == b""


def test_mx_answers_are_kept_for_an_hour_and_failures_for_a_minute() -> None:
    now = [0.0]
    calls: list[str] = []
    logged: list[str] = []

    def lookup(domain: str) -> list[str]:
        calls.append(domain)
        if domain == "slow.example":
            raise TimeoutError
        return [f"mx.{domain}"]

    cache = MxCache(lookup, clock=lambda: now[0], log=logged.append)
    assert cache("a.example") == ["mx.a.example"]
    assert cache("slow.example") == []
    now[0] = 59.0
    assert cache("a.example") == ["mx.a.example"]
    assert cache("slow.example") == []
    assert calls == ["a.example", "slow.example"]
    now[0] = 61.0
    cache("slow.example")
    now[0] = 3601.0
    cache("a.example")
    assert calls == ["a.example", "slow.example", "slow.example", "a.example"]
    assert (
        logged[0] == "MX lookup of slow.example failed (TimeoutError); classed by name"
    )


def test_the_service_runs_as_postfix_spawns_it(tmp_path: Path) -> None:
    """The module as master.cf runs it: requests on stdin, answers on stdout."""
    db = tmp_path / "suppression.sqlite"
    with SuppressionList(db) as store:
        store.add("gone@example.net", "hard")
    config = tmp_path / "policy.json"
    config.write_text(json.dumps(RAW | {"suppression_db": str(db)}))
    requests = [
        rcpt("gone@example.net", instance="m1"),
        rcpt("reader@gmail.test", instance="m1"),
        rcpt("other@gmail.test", instance="m1"),
    ]
    stdin = b"".join(
        "".join(f"{k}={v}\n" for k, v in r.items()).encode() + b"\n" for r in requests
    )
    env = dict(os.environ, PYTHONPATH=str(FILES))
    done = subprocess.run(
        [sys.executable, "-m", "mailfleet_bulk.policy", str(config)],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answers = done.stdout.decode().split("\n\n")
    assert answers[0] == (
        "action=550 5.7.1 <gone@example.net> is on the suppression list (hard); "
        "take it off the campaign list"
    )
    assert answers[1] in {
        "action=FILTER bulk_ip1_google:",
        "action=FILTER bulk_ip2_google:",
    }
    assert answers[2].startswith("action=452 4.5.3 ")
    assert answers[3] == ""


def test_the_service_refuses_to_start_on_a_bad_configuration(tmp_path: Path) -> None:
    config = tmp_path / "policy.json"
    config.write_text(json.dumps(RAW | {"classes": []}))
    done = subprocess.run(
        [sys.executable, "-m", "mailfleet_bulk.policy", str(config)],
        input=b"",
        capture_output=True,
        env=dict(os.environ, PYTHONPATH=str(FILES)),
        timeout=60,
        check=False,
    )
    assert done.returncode == 78
    assert done.stdout == b""
