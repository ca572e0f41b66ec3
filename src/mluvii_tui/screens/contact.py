"""Contact client: write to the client of an ended messaging session (Messenger, WhatsApp,
Apple Messages for Business, VKontakte). The dialog states the channel's rule and where this
session stands, offers free text only when allowed, otherwise the template picker; a refused
case offers nothing to send. Returns a ``ContactMessage`` for the confirmation step."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ..api.admin_models import ContactRule, MessageTemplate
from ..text import one_line


@dataclass
class ContactMessage:
    text: str | None = None
    template_id: int | None = None
    params: list[str] | None = None
    summary: list[Text | str] = field(default_factory=list)


def fill(template: MessageTemplate, params: list[str]) -> str:
    text = template.text
    for n, value in enumerate(params, 1):
        text = text.replace(f"{{{{{n}}}}}", value)
    return text


class ContactDialog(ModalScreen[ContactMessage | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="contact.cancel"),
    ]

    def __init__(
        self,
        session_id: int,
        load_rule: Callable[[], Awaitable[ContactRule]],
        load_templates: Callable[[], Awaitable[list[MessageTemplate]]],
    ) -> None:
        super().__init__()
        self.session_id = session_id
        self.load_rule = load_rule
        self.load_templates = load_templates
        self.rule: ContactRule | None = None
        self.templates: list[MessageTemplate] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="admin-dialog admin-wide", id="contact"):
            yield Static(
                Text(f"Contact the client of session {self.session_id}", style="bold"),
                classes="admin-title",
            )
            yield Static(Text("loading the channel's rule…", style="dim"), id="contact-rule")
            yield Input(placeholder="message to the client", id="contact-text")
            yield OptionList(id="contact-templates")
            yield Input(placeholder="template parameters", id="contact-params")
            yield Static("", id="contact-hint", classes="admin-hint")
            yield Static("", id="contact-message")

    def on_mount(self) -> None:
        for selector in ("#contact-text", "#contact-templates", "#contact-params"):
            self.query_one(selector).display = False
        self._load()

    @work(exclusive=True, group="contact", exit_on_error=False)
    async def _load(self) -> None:
        from ..api.errors import MluviiError

        try:
            self.rule = await self.load_rule()
            if self.rule.allowed and self.rule.template_only:
                self.templates = await self.load_templates()
        except MluviiError as exc:
            self._say(exc.message, error=True)
            self._hint("esc close")
            return
        self._show()

    def _say(self, message: str, *, error: bool = False) -> None:
        self.query_one("#contact-message", Static).update(
            Text(one_line(message, 300), style="bold red" if error else "")
        )

    def _hint(self, text: str) -> None:
        self.query_one("#contact-hint", Static).update(Text(text, style="dim"))

    def _show(self) -> None:
        rule = self.rule
        assert rule is not None
        text = Text()
        if rule.rule:
            text.append(one_line(rule.rule, 200) + "\n")
        text.append(one_line(rule.reason, 200), style="bold" if rule.allowed else "bold red")
        if rule.message_tag:
            text.append(f"\nSent with the {one_line(rule.message_tag, 40)} message tag.")
        self.query_one("#contact-rule", Static).update(text)
        if not rule.allowed:
            self._hint("nothing can be sent · esc close")
        elif rule.free_text:
            self.query_one("#contact-text").display = True
            self.query_one("#contact-text").focus()
            self._hint("enter continue · esc cancel")
        else:
            options = self.query_one("#contact-templates", OptionList)
            options.display = True
            self.query_one("#contact-params").display = True
            for t in self.templates:
                prompt = Text(f"{one_line(t.name, 30)}", style="bold")
                prompt.append(f"  {one_line(t.language or '', 8)}  ", style="dim")
                prompt.append(one_line(t.text, 90))
                options.add_option(Option(prompt, id=str(t.id)))
            if self.templates:
                options.highlighted = 0
                self._template_changed()
            else:
                self._say("The server offers no template for this channel.", error=True)
            options.focus()
            self._hint("↑↓ template · tab parameters · enter continue · esc cancel")

    def _template(self) -> MessageTemplate | None:
        options = self.query_one("#contact-templates", OptionList)
        if options.highlighted is None or not self.templates:
            return None
        return self.templates[options.highlighted]

    def _template_changed(self) -> None:
        t = self._template()
        params = self.query_one("#contact-params", Input)
        names = ", ".join(t.params) if t else ""
        params.placeholder = f"parameters separated by ';': {names}" if names else "no parameters"

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._template_changed()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.query_one("#contact-params", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._continue()

    def _continue(self) -> None:
        rule = self.rule
        if rule is None or not rule.allowed:
            return  # a refused case never sends anything
        where = f"the client of session {self.session_id} ({one_line(rule.source or '', 20)})"
        if rule.free_text:
            text = self.query_one("#contact-text", Input).value.strip()
            if not text:
                self._say("Write a message first.", error=True)
                return
            summary: list[Text | str] = [f"Send to {where}:", Text(one_line(text, 400), "bold")]
            if rule.message_tag:
                summary.append(f"with the {rule.message_tag} message tag.")
            summary.append(f"A new session starts, linked to session {self.session_id}.")
            self.dismiss(ContactMessage(text=text, summary=summary))
            return
        t = self._template()
        if t is None:
            self._say("Choose a template.", error=True)
            return
        raw = self.query_one("#contact-params", Input).value
        params = [p.strip() for p in raw.split(";")] if raw.strip() else []
        if len(params) != len(t.params):
            names = ", ".join(t.params)
            self._say(f"{t.name} needs {len(t.params)} parameter(s): {names}", error=True)
            return
        summary = [
            f"Send template {one_line(t.name, 40)} to {where}:",
            Text(one_line(fill(t, params), 400), "bold"),
            f"A new session starts, linked to session {self.session_id}.",
        ]
        self.dismiss(ContactMessage(template_id=t.id, params=params, summary=summary))

    def action_cancel(self) -> None:
        self.dismiss(None)
