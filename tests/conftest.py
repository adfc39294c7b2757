from __future__ import annotations

import os

import pytest

os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

from tests.support.live_server import LiveServer
from tests.support.postgres import PostgresCluster
from tests.support.served import ServedAPI

ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
SERVED_API_GROUP = "served_api"


def pytest_configure(config):
    # pytest-xdist registers it too; here so that --strict-markers with -p no:xdist still knows it
    config.addinivalue_line("markers", "xdist_group(name): one worker runs the group under --dist loadgroup")


def pytest_itemcollected(item):
    """Every test of `served_api` joins one group: its servers (`desk-tui serve`, a process per
    engine, two workers on PostgreSQL: seconds each to start) are then started by one worker,
    not by both. Marked as each test is collected, before xdist names the groups, so a new test
    of it joins too."""
    if "served_api" in getattr(item, "fixturenames", ()):
        item.add_marker(pytest.mark.xdist_group(SERVED_API_GROUP))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Under ``--dist loadgroup`` (make test) the tests of an ``xdist_group`` go to one worker as one
    unit, so the module's costly fixtures (a served process, a chain of 20,000 customers, a wheel,
    a salon seeded under a pinned clock) are built once, not once per worker. Those units go
    first: the rest are handed out one test at a time, so whichever worker frees up takes the next
    and both end together; a unit of a minute left to the end would keep one worker busy alone."""
    if config.getoption("dist", "no") != "loadgroup":
        return
    grouped = [item for item in items if item.get_closest_marker("xdist_group")]
    if grouped:
        rest = [item for item in items if not item.get_closest_marker("xdist_group")]
        items[:] = grouped + rest


@pytest.fixture(scope="session")
def pg_cluster():
    cluster = PostgresCluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def new_db_url(request, tmp_path_factory):
    """A factory of fresh, empty databases of one engine: ``new_db_url(engine)``."""
    counter = iter(range(10**6))

    def make(engine: str) -> str:
        if engine == "sqlite":
            return f"sqlite:///{tmp_path_factory.mktemp('db')}/desk-{next(counter)}.db"
        return request.getfixturevalue("pg_cluster").create_database()

    return make


@pytest.fixture(scope="session", params=ENGINES)
def engine(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def api(engine, new_db_url):
    """The demo salon served over real HTTP, shared by the tests of one engine."""
    with LiveServer(new_db_url(engine), demo=True) as server:
        yield server


@pytest.fixture(scope="session")
def served_api(engine, new_db_url):
    """The demo salon as `desk-tui serve` runs it, in a child process: one worker on SQLite (its
    one writer), two workers on PostgreSQL, so a rule that holds here holds across processes."""
    with ServedAPI(new_db_url(engine), workers=1 if engine == "sqlite" else 2, demo=True) as server:
        yield server


# Snapshot baselines live in the top-level snapshots/ folder (see docs/testing.md):
# pytest-textual-snapshot looks its extension class up at call time, so replacing it here
# redirects every snap_compare without touching the plugin.
import pytest_textual_snapshot  # noqa: E402

from tests.support.snapshots import SnapshotsDirExtension, pinned_colour_system  # noqa: E402, F401

pytest_textual_snapshot.SVGImageExtension = SnapshotsDirExtension
