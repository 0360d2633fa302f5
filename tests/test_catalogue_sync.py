"""`dashgen catalogue sync` against the test Prometheus: label counts rewritten to what the server
holds and nothing else in the files changed; `--check` fails on a catalogue that is off and passes
once synced; a label that follows from another keeps its 1."""

from __future__ import annotations

import re
import time

import mpac_series
import prometheus_fixture
from conftest import REPO, copy_project
from dashgen.catalogue import load_catalogue
from dashgen.catalogue_sync import sync
from dashgen.prometheus import Prometheus
from test_live_prometheus import needs_prometheus

COUNT_LINE = re.compile(r"^  (\w+): (\d+)(\s*#.*)?$")


def test_sync_writes_the_measured_counts_and_nothing_else(live_prometheus, cli, tmp_path):
    root = copy_project(tmp_path / "mpac")
    before = {p.name: p.read_text() for p in (root / "catalogue").glob("*.yaml")}

    code, out, err = cli("-C", str(root), "catalogue", "sync", "--prometheus", live_prometheus.url, "--check")
    assert (code, err) == (1, "")
    assert "off: catalogue/common.yaml: label service is 10 in the catalogue, 3 in Prometheus (more than 2x)" in out
    assert out.splitlines()[-1].endswith("(nothing written)")
    assert {p.name: p.read_text() for p in (root / "catalogue").glob("*.yaml")} == before

    code, out, err = cli("-C", str(root), "catalogue", "sync", "--prometheus", live_prometheus.url)
    assert (code, err) == (0, "")
    assert "catalogue/http.yaml: label status_code: 10 → 3 (measured on http_server_request_duration_seconds_bucket)" \
        in out.splitlines()
    after = {p.name: p.read_text() for p in (root / "catalogue").glob("*.yaml")}
    counts = {}
    for name, text in before.items():
        old_lines, new_lines = text.splitlines(), after[name].splitlines()
        assert len(old_lines) == len(new_lines), name
        for old, new in zip(old_lines, new_lines):
            if old != new:  # only a label's count, its comment kept in its column
                a, b = COUNT_LINE.match(old), COUNT_LINE.match(new)
                assert a and b and a[1] == b[1] and (a[3] or "").strip() == (b[3] or "").strip(), (old, new)
                assert old.index("#") == new.index("#") if "#" in old else True
                counts[b[1]] = int(b[2])
    for label in ("service", "status_code", "region", "acquirer", "mode"):  # what the data holds of each
        assert counts[label] == len(mpac_series.VALUES.get(label) or ("svc-portal", "svc-smarttab", "mpac-pgw")), label
    assert "instance" not in counts and "job" not in counts  # they follow from task and service: 1 stays

    code, out, _ = cli("-C", str(root), "catalogue", "sync", "--prometheus", live_prometheus.url, "--check")
    assert (code, out.splitlines()[-1]) == (0, "0 label counts off by more than 2x; 0 differences in all (nothing written)")
    assert cli("-C", str(root), "lint")[0] == 0  # the catalogue still loads, and the dashboards lint clean


def test_sync_needs_a_prometheus(cli):
    code, out, err = cli("-C", str(REPO), "catalogue", "sync")
    assert (code, out, err.splitlines()[-1]) == (2, "", "Error: give --prometheus URL or --env NAME")


@needs_prometheus
def test_a_type_the_targets_declare_otherwise_is_rewritten(tmp_path):
    """Types come from Prometheus' metadata, which only scraped targets give: a Prometheus scraping
    itself declares prometheus_http_requests_total a counter."""
    folder = tmp_path / "catalogue"
    folder.mkdir()
    entry = ("labels:\n  handler: 40   # its HTTP endpoints\n  code: 5\nmetrics:\n"
             "  prometheus_http_requests_total:\n    type: gauge    # wrong on purpose\n    unit: requests\n"
             "    help: Requests to Prometheus' HTTP API.\n    labels: [handler, code]\n")
    (folder / "self.yaml").write_text(entry)
    with prometheus_fixture.serving(tmp_path, tmp_path / "tsdb", [], scrape_self=True) as url:
        server = Prometheus(url)
        deadline = time.monotonic() + 30
        while "prometheus_http_requests_total" not in server.metadata() and time.monotonic() < deadline:
            time.sleep(0.2)
        done = sync(folder, "catalogue", load_catalogue(folder), {"prometheus_http_requests_total"}, server)
    assert [c.line for c in done.changes if "type" in c.what] == [
        "catalogue/self.yaml: metric prometheus_http_requests_total type: gauge → counter (as its targets declare it in"
        " Prometheus' metadata)"]
    text = (folder / "self.yaml").read_text()
    assert "    type: counter    # wrong on purpose\n" in text and text.startswith("labels:\n  handler: ")
