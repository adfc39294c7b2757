"""The baseline of the start-up benchmarks: the smallest Textual app worth drawing."""

from textual.app import App, ComposeResult
from textual.widgets import Footer, Label

READY = "Minimal Textual app"


class MinimalApp(App):
    def compose(self) -> ComposeResult:
        yield Label(READY)
        yield Footer()


if __name__ == "__main__":
    MinimalApp().run()
