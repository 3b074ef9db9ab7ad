"""The operator's kit is consistent with what the coordinator really exports and accepts: alerting rules
and dashboard use only metric names and label values a real coordinator's /metrics has; the compose file
uses only options the real CLI accepts, and its peers, Prometheus and Grafana point at each other."""
import ipaddress
import json
import re
from pathlib import Path

import pytest
import yaml

OPS = Path(__file__).resolve().parents[1]
RULES = OPS / "prometheus" / "enjambre-rules.yml"
DASHBOARD = OPS / "grafana" / "enjambre-dashboard.json"
TARGET_LABELS = {"job", "instance"}          # added by Prometheus when it scrapes, not by the coordinator


def load_yaml(path: Path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def rule_exprs():
    return {r["alert"]: r["expr"] for g in load_yaml(RULES)["groups"] for r in g["rules"]}


def dashboard_exprs():
    return {f"panel {p['id']} {p['title']!r} {t['refId']}": t["expr"]
            for p in json.loads(DASHBOARD.read_text())["panels"] for t in p["targets"]}


def all_exprs():
    return {**{"rule " + k: v for k, v in rule_exprs().items()}, **dashboard_exprs()}


def literal_matchers(expr: str):
    """(label, value) of every equality matcher, and of each plain alternative of a regex matcher."""
    for label, op, value in re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!=|!~|=)\s*"([^"]*)"', expr):
        if op == "=":
            yield label, value
        elif op == "=~":
            yield from ((label, alt) for alt in value.split("|") if re.fullmatch(r"[A-Za-z0-9_/:-]+", alt))


# --- rules and dashboard against a real coordinator's /metrics ------------------------------------------

@pytest.mark.parametrize("where", sorted(all_exprs()))
def test_expression_usesOnlyExportedMetricNames_andLabelValues(where, scraped):
    names, labels = scraped
    expr = all_exprs()[where]
    used = set(re.findall(r"\benjambre_[a-z0-9_]+", expr))
    assert used or re.search(r"\bup\{", expr), f"{where} uses neither an Enjambre metric nor up: {expr}"
    assert used <= names, f"{where} uses {sorted(used - names)}, not exported (exported: {sorted(names)})"
    for label, value in literal_matchers(expr):
        if label not in TARGET_LABELS:
            assert value in labels.get(label, set()), f"{where}: {label}=\"{value}\" is never exported"


@pytest.mark.parametrize("where", sorted(all_exprs()))
def test_expression_takesRatesOfCountersOnly(where):
    for name in re.findall(r"\b(?:rate|increase)\(\s*(enjambre_[a-z0-9_]+)", all_exprs()[where]):
        assert name.endswith(("_total", "_sum", "_count")), f"{where} takes a rate of the gauge {name}"


def test_rules_coverTheOperatorsQuestions_andEachHasSeverityAndSummary():
    rules = {r["alert"]: r for g in load_yaml(RULES)["groups"] for r in g["rules"]}
    assert {"EnjambrePeerDown", "EnjambreFewerPeersThanExpected", "EnjambreNoWorkersOnline", "EnjambreJobsStalled",
            "EnjambreHighInvalidShare", "EnjambreStoreWritesSlow", "EnjambreStoreFailing"} <= set(rules)
    for name, rule in rules.items():
        assert rule["labels"]["severity"] in ("critical", "warning", "info"), name
        assert rule["annotations"]["summary"] and rule["annotations"]["description"], name


def test_ruleUnitTests_makeEveryRuleFire_andStayQuiet():
    cases = [c for t in load_yaml(OPS / "prometheus" / "enjambre-rules.test.yml")["tests"] for c in t["alert_rule_test"]]
    fired = {c["alertname"] for c in cases if c.get("exp_alerts")}
    quiet = {c["alertname"] for c in cases if not c.get("exp_alerts")}
    assert set(rule_exprs()) - fired == set(), "rules no promtool test makes fire"
    assert set(rule_exprs()) - quiet == set(), "rules no promtool test expects quiet"


# --- the dashboard -----------------------------------------------------------------------------------------

def test_dashboard_isValidGrafanaJson_onTheProvisionedDatasource():
    dash = json.loads(DASHBOARD.read_text())
    datasource = load_yaml(OPS / "grafana" / "provisioning" / "datasources" / "prometheus.yml")["datasources"][0]
    assert dash["uid"] and dash["title"] and dash["panels"]
    ids = [p["id"] for p in dash["panels"]]
    assert len(ids) == len(set(ids)), "panel ids are unique"
    for p in dash["panels"]:
        assert p["datasource"]["uid"] == datasource["uid"], p["title"]
        assert all(t["datasource"]["uid"] == datasource["uid"] for t in p["targets"]), p["title"]
        grid = p["gridPos"]
        assert 0 <= grid["x"] and grid["x"] + grid["w"] <= 24 and grid["h"] > 0, p["title"]
        assert len({t["refId"] for t in p["targets"]}) == len(p["targets"]), p["title"]


# --- the compose file ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def compose():
    return load_yaml(OPS / "compose.yaml")


def options_of(command):
    """{--option: value or True} of a command list (picocli style: the value follows the option)."""
    out, i = {}, 1
    while i < len(command):
        assert command[i].startswith("--"), f"unexpected argument {command[i]!r} in {command}"
        takes_value = i + 1 < len(command) and not command[i + 1].startswith("--")
        out[command[i]] = command[i + 1] if takes_value else True
        i += 2 if takes_value else 1
    return out


def peers(compose):
    return {name: s for name, s in compose["services"].items() if s.get("command", [""])[0] == "coordinator"}


def test_compose_hasThreePeers_postgres_prometheus_grafana(compose):
    assert set(peers(compose)) == {"peer1", "peer2", "peer3"}
    assert {"postgres", "prometheus", "grafana"} <= set(compose["services"])


def test_compose_commandsUseOnlyOptionsTheCliAccepts(compose, cli_options):
    for name, service in compose["services"].items():
        command = service.get("command")
        if command and command[0] in ("coordinator", "worker"):
            unknown = set(options_of(command)) - cli_options[command[0]]
            assert not unknown, f"{name}: {command[0]} has no option {sorted(unknown)}"


def test_compose_peersJoinEachOther_atTheirFixedClusterAddresses(compose):
    seeds = set()
    names = set()
    for name, service in peers(compose).items():
        o = options_of(service["command"])
        address = service["networks"]["cluster"]["ipv4_address"]
        ipaddress.IPv4Address(o["--cluster-host"])        # Hazelcast binds to an interface address, not a name
        assert o["--cluster-host"] == address, name
        assert ipaddress.IPv4Address(address) in ipaddress.IPv4Network(
            compose["networks"]["cluster"]["ipam"]["config"][0]["subnet"]), name
        assert o["--host"] == "0.0.0.0", f"{name} must listen on all interfaces inside its container"
        assert o["--port"] == service["environment"]["ENJAMBRE_PORT"], f"{name}: the health check probes ENJAMBRE_PORT"
        seeds.add(f"{address}:{o['--cluster-port']}")
        names.add(o["--cluster-name"])
        assert service["volumes"] == [f"{name}:/var/lib/enjambre"], name
    for name, service in peers(compose).items():
        assert set(options_of(service["command"])["--join"].split(",")) == seeds, name
    assert len(names) == 1, "one cluster name"


def test_compose_peersShareThePostgresDatabase(compose):
    pg = compose["services"]["postgres"]["environment"]
    for name, service in peers(compose).items():
        db = options_of(service["command"])["--db"]
        m = re.fullmatch(r"jdbc:postgresql://postgres:5432/([a-z]+)\?user=([a-z]+)&password=(.+)", db)
        assert m, f"{name}: {db}"
        assert (m.group(1), m.group(2), m.group(3)) == (pg["POSTGRES_DB"], pg["POSTGRES_USER"], pg["POSTGRES_PASSWORD"])
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_compose_publishesEachPeerOnItsOwnHostPort(compose):
    published = []
    for name, service in peers(compose).items():
        (mapping,) = service["ports"]
        host, container = mapping.split(":")
        assert container == options_of(service["command"])["--port"], name
        published.append(host)
    assert len(set(published)) == 3


def test_compose_prometheusScrapesEveryPeer_andLoadsTheRules(compose):
    prom = compose["services"]["prometheus"]
    assert "./prometheus:/etc/prometheus:ro" in prom["volumes"]
    assert "--config.file=/etc/prometheus/prometheus.yml" in prom["command"]
    config = load_yaml(OPS / "prometheus" / "prometheus.yml")
    assert all((OPS / "prometheus" / f).is_file() for f in config["rule_files"])
    (job,) = [j for j in config["scrape_configs"] if j["job_name"] == "enjambre"]
    targets = {t for c in job["static_configs"] for t in c["targets"]}
    expected = {f"{s['hostname']}:{options_of(s['command'])['--port']}" for s in peers(compose).values()}
    assert targets == expected
    assert set(peers(compose)) == {s["hostname"] for s in peers(compose).values()}


def test_compose_grafanaGetsTheDatasourceAndTheDashboard(compose):
    grafana = compose["services"]["grafana"]
    mounts = dict(v.rsplit(":", 1)[0].split(":", 1) for v in grafana["volumes"] if v.startswith("./"))
    assert mounts["./grafana/provisioning"] == "/etc/grafana/provisioning"
    provider = load_yaml(OPS / "grafana" / "provisioning" / "dashboards" / "enjambre.yml")["providers"][0]
    assert mounts["./grafana/enjambre-dashboard.json"].startswith(provider["options"]["path"] + "/")
    datasource = load_yaml(OPS / "grafana" / "provisioning" / "datasources" / "prometheus.yml")["datasources"][0]
    port = compose["services"]["prometheus"]["ports"][0].split(":")[1]
    assert datasource["url"] == f"http://prometheus:{port}"


def test_compose_buildsTheRepositoryDockerfile(compose):
    build = peers(compose)["peer1"]["build"]
    assert (OPS / build["context"] / build["dockerfile"]).resolve() == (OPS.parent / "Dockerfile").resolve()
    worker = compose["services"]["worker"]
    urls = options_of(worker["command"])["--coordinator"].split(",")
    assert urls == [f"http://{p}:8080" for p in sorted(peers(compose))]
