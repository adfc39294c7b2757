"""Failed network calls are said by the app, once, in words.

Textual posts a worker's state changes to the node that started it and they do not bubble, so
every screen and widget whose workers talk to the server mixes this in; the app turns the
failure into a notification, or asks for the PIN again (SessionApp.report_worker_failure).

Textual runs the ``on_worker_state_changed`` of every class in a node's MRO by itself: a
subclass that adds its own must not call ``super()``, or the failure is said twice.
"""

from __future__ import annotations

from textual.worker import Worker


class SaysWorkerFailures:
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.app.report_worker_failure(event)  # type: ignore[attr-defined]
