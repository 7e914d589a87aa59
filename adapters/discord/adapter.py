"""The Discord adapter: discord.py's gateway client in Warroom's event loop.

discord.py reconnects and resumes the gateway with its own backoff and honours
rate limits; this adapter logs the connection state, catches up on incident
channels after every fresh session, and keeps every gateway callback short:
it translates, hands the event to the core in a task, and answers interactions
within Discord's 3 s deadline before any slow work.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Coroutine
from typing import Any

import discord
from discord import app_commands
from warroom.adapters.discord.channels import ChannelMaker, admit
from warroom.adapters.discord.connection import Handler, Health, login, new_client, refusal, sync_commands
from warroom.adapters.discord.cursors import Cursors
from warroom.adapters.discord.inbound import (
    FindUser,
    button_event,
    command_event,
    mentioned_ids,
    message_event,
    reaction_event,
)
from warroom.adapters.discord.interactions import Interactions
from warroom.adapters.discord.render import PLATFORM, ActionButton, render
from warroom.adapters.discord.settings import DiscordSettings
from warroom.adapters.discord.slash import SlashCommands, autocomplete_choices
from warroom.adapters.discord.suggest import SUGGESTED, suggestions
from warroom.core.adapter import (
    AdapterHealth,
    AdapterHost,
    Capabilities,
    ChannelSpec,
    ConversationRef,
    InboundEvent,
    Message,
    MessageRef,
    Sink,
    UserRef,
)

log = logging.getLogger(__name__)

STOP_GRACE = 10.0  # seconds stop() waits for events already handed to the core


class DiscordAdapter:
    platform = PLATFORM
    capabilities = Capabilities(
        create_channel=True, private_channel=True, buttons=True, reactions=True, edit=True, invite=True
    )
    Settings = DiscordSettings

    def __init__(self, settings: DiscordSettings, host: AdapterHost) -> None:
        self.settings = settings
        self._host = host
        self._slash_prefix = f"/{settings.command_name}"  # how command hints are written: the slash command
        self._state = host.adapter_state(PLATFORM)
        self._cursors = Cursors(self._state)
        self._interactions = Interactions()
        self._channels = ChannelMaker(settings.incident_category)
        self._slash: SlashCommands | None = None
        self._sink: Sink | None = None
        self._client: discord.Client | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = asyncio.Event()
        self._backfilling = False
        self._health = Health()

    @property
    def client(self) -> discord.Client:
        """The discord.py client, once :meth:`start` has logged in."""
        if self._client is None:
            raise RuntimeError("the Discord adapter is not started")
        return self._client

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self, sink: Sink) -> None:
        """Log in, push the slash command if asked to, and run the gateway until :meth:`stop`."""
        self._sink = sink
        if not self.settings.message_content_intent:
            log.warning(
                "adapters.discord.message_content_intent is off: chat in incident channels is not captured "
                "and typed !incident commands are not seen (slash commands and buttons work)"
            )
        if self._client is not None and not self._client.is_closed():
            await self._client.close()  # started again after an unexpected failure: let go of the old session
        client = await login(self.settings, self._new_client, self._health, self._stopping)
        if client is None:
            return
        self._client = client
        client.add_dynamic_items(ActionButton)
        await sync_commands(client, self._commands(), self.settings, self._state)
        self._health.set("connecting")
        try:
            await client.connect(reconnect=True)
        except (discord.PrivilegedIntentsRequired, discord.ConnectionClosed) as closed:
            refused = refusal(closed)
            if refused is None:
                raise
            raise refused from None
        finally:
            self._health.set("stopped")

    async def stop(self) -> None:
        """Finish what was received (its replies need the connection), then disconnect and save the cursors.

        Events arriving meanwhile are left alone: a restart catches up on the messages among them.
        """
        self._stopping.set()
        if self._tasks:
            _, late = await asyncio.wait(set(self._tasks), timeout=STOP_GRACE)
            for task in late:
                task.cancel()
        if self._client is not None:
            await self._client.close()
        if self._cursors.dirty:
            await self._cursors.save()

    async def drain(self) -> None:
        """Wait until every event received so far was handled by the core (stop waits for this too)."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    def health(self) -> AdapterHealth:
        details = {"platform": PLATFORM, **self._health.report(self._client), "in_flight": len(self._tasks)}
        return AdapterHealth(self._health.state, details=details)

    # --- outbound ----------------------------------------------------------------------------

    async def send(
        self, conversation: ConversationRef, message: Message, *, key: str, in_reply_to: MessageRef | None
    ) -> MessageRef:
        """Follow up on the slash command or button the reply answers, else post in the channel."""
        rendered = render(message, self._slash_prefix)
        interaction = self._interactions.answering(in_reply_to, conversation.id)
        if interaction is not None:
            await self._interactions.acknowledged(interaction)
            try:
                sent = await interaction.followup.send(**rendered.to_send(), wait=True)
            except discord.HTTPException as error:
                if error.status >= 500:  # it may have been posted: never post twice
                    raise
                log.info("could not follow up on interaction %s (%s); posting in the channel", interaction.id, error)
            else:
                self._interactions.answered(interaction, sent.id)
                return MessageRef(conversation, str(sent.id))
        channel = self.client.get_partial_messageable(int(conversation.id))
        posted = await channel.send(**rendered.to_send(), nonce=_nonce(key))
        return MessageRef(conversation, str(posted.id))

    async def edit(self, message: MessageRef, replacement: Message) -> None:
        """Replace the message's content, embed and buttons (a decided confirmation loses its buttons)."""
        fields = render(replacement, self._slash_prefix).to_edit()
        message_id = int(message.id)
        interaction = self._interactions.editing(message_id)
        if interaction is not None:
            await interaction.followup.edit_message(message_id, **fields)
            return
        channel = self.client.get_partial_messageable(int(message.conversation.id))
        await channel.get_partial_message(message_id).edit(**fields)

    async def create_channel(self, spec: ChannelSpec) -> ConversationRef:
        client = self.client
        origin = client.get_channel(int(spec.requested_in.id)) if spec.requested_in.id.isdigit() else None
        guild = getattr(origin, "guild", None)
        if guild is None and self.settings.guild_id is not None:
            guild = client.get_guild(self.settings.guild_id)
        if not isinstance(guild, discord.Guild):
            raise LookupError(
                f"no Discord server to open #{spec.name} in; set adapters.discord.guild_id or declare from a server"
            )
        channel = await self._channels.open(guild, spec)
        await self._cursors.track(channel.id)
        return ConversationRef(PLATFORM, str(channel.id), channel.name)

    async def invite(self, conversation: ConversationRef, user: UserRef) -> None:
        """Let ``user`` see a private incident channel (a member overwrite); public channels are open to all."""
        if not (conversation.id.isdigit() and user.id.isdigit()):
            return
        reason = f"Warroom: {user.display or user.id} invited to the incident"
        try:
            if await admit(self.client, int(conversation.id), int(user.id), reason):
                log.info("let %s into #%s", user.id, conversation.name or conversation.id)
        except discord.Forbidden:
            log.warning(
                "Discord refused to let %s into #%s: give the bot the Manage Roles permission "
                "(it writes a member permission overwrite on private incident channels)",
                user.display or user.id,
                conversation.name or conversation.id,
            )

    # --- connection --------------------------------------------------------------------------

    def _new_client(self) -> discord.Client:
        handlers: dict[str, Handler] = {
            "on_connect": self._on_connect,
            "on_ready": self._on_ready,
            "on_resumed": self._on_resumed,
            "on_disconnect": self._on_disconnect,
            "on_message": self._on_message,
            "on_raw_reaction_add": self._on_reaction,
            "on_interaction": self._on_interaction,
            "on_warroom_button": self._on_button,
        }
        return new_client(self.settings, handlers)

    async def _on_connect(self) -> None:
        self._health.set("connected")
        log.info("connected to the Discord gateway")

    async def _on_ready(self) -> None:
        self._health.set("ready")
        log.info("Discord session ready: %d server(s); catching up on incident channels", len(self.client.guilds))
        self._spawn(self._backfill(), "backfill")

    async def _on_resumed(self) -> None:
        self._health.set("ready")
        log.info("Discord session resumed; missed events are being replayed")

    async def _on_disconnect(self) -> None:
        if self._health.state != "disconnected" and not self._stopping.is_set():
            self._health.reconnects += 1
            log.warning("disconnected from the Discord gateway; discord.py reconnects with backoff")
        self._health.set("disconnected")

    async def _backfill(self) -> None:
        if not self.settings.message_content_intent or self._backfilling:
            return  # history without the intent has no text; a catch-up already running covers this one
        self._backfilling = True
        try:
            count = await self._cursors.backfill(self.client, self._chat)
        finally:
            self._backfilling = False
        self._health.backfilled += count
        if count:
            log.info("caught up on %d message(s) sent while Warroom was away", count)

    # --- inbound -----------------------------------------------------------------------------

    async def _on_message(self, message: discord.Message) -> None:
        if self._wanted(message):
            self._spawn(self._chat(message, live=True), f"message-{message.id}")

    def _wanted(self, message: discord.Message) -> bool:
        if message.author.bot or message.guild is None or not self._serves(message.guild.id):
            return False
        if self._cursors.tracks(message.channel.id):
            return True
        first = message.content.split(maxsplit=1)[:1]
        return bool(first) and first[0].lower() in (p.lower() for p in self._host.catalogue().prefixes)

    async def _chat(self, message: discord.Message, live: bool = False) -> None:
        if not self._wanted(message):
            return
        event = message_event(message, self.client.get_user)
        if event is not None:
            await self._deliver(event)
        if live and self._cursors.tracks(message.channel.id):
            await self._cursors.handled(message.channel.id, message.id)

    async def _on_reaction(self, payload: discord.RawReactionActionEvent) -> None:
        client = self.client
        if client.user is None or payload.user_id == client.user.id or not self._cursors.tracks(payload.channel_id):
            return  # tracked channels are the incident channels, so they are in the served server
        channel = client.get_channel(payload.channel_id) or client.get_partial_messageable(payload.channel_id)
        event = reaction_event(payload, channel, self.settings.key_reaction)
        if event is not None:
            self._spawn(self._deliver(event), f"reaction-{payload.message_id}")

    async def _on_interaction(self, interaction: discord.Interaction) -> None:
        if not self._serves(interaction.guild_id):
            return
        if interaction.type is discord.InteractionType.application_command:
            self._spawn(self._command(interaction), f"command-{interaction.id}")
        elif interaction.type is discord.InteractionType.autocomplete:
            self._spawn(self._autocomplete(interaction), f"autocomplete-{interaction.id}")

    async def _on_button(self, action: str, interaction: discord.Interaction) -> None:
        self._spawn(self._button(action, interaction), f"button-{interaction.id}")

    async def _command(self, interaction: discord.Interaction) -> None:
        invocation = self._commands().invocation(interaction.data or {})
        if invocation is None:
            await _answer_quietly(
                interaction, "I don't know that command any more; my slash commands may be out of date."
            )
            return
        # Deferring and handing the command on run side by side: the core sees events in gateway order.
        deferred = asyncio.ensure_future(_acknowledge(interaction, interaction.response.defer(thinking=True)))
        self._interactions.begin(interaction, deferred)
        try:
            prefix = self._host.catalogue().prefixes[0]
            people = await self._people(invocation.text or " ".join(invocation.argv))
            await self._deliver(command_event(interaction, invocation, prefix, people))
        finally:
            await deferred
            if not self._interactions.end(interaction):  # nothing answered here: drop "Warroom is thinking…"
                await _acknowledge(interaction, interaction.delete_original_response())

    async def _people(self, text: str) -> FindUser:
        """Typed text (``/incident more``, a text option) names people by id only: look up those not met yet."""
        met: dict[int, discord.abc.User] = {}
        for user_id in mentioned_ids(text):
            if self.client.get_user(user_id) is None:
                with contextlib.suppress(discord.HTTPException):
                    met[user_id] = await self.client.fetch_user(user_id)
        return lambda user_id: met.get(user_id) or self.client.get_user(user_id)

    async def _autocomplete(self, interaction: discord.Interaction) -> None:
        focused = self._commands().focused(interaction.data or {})
        found = [] if focused is None else suggestions(focused[0], self._host.catalogue())
        choices = autocomplete_choices(found, focused[1] if focused else "")
        reply = [app_commands.Choice(name=label[:100], value=value) for label, value in choices]
        await _acknowledge(interaction, interaction.response.autocomplete(reply))

    async def _button(self, action: str, interaction: discord.Interaction) -> None:
        if not self._serves(interaction.guild_id):
            return
        # The prompt stays as it is until the core edits it; the click is handed on while Discord is told.
        deferred = asyncio.ensure_future(_acknowledge(interaction, interaction.response.defer()))
        self._interactions.begin(interaction, deferred)
        try:
            await self._deliver(button_event(interaction, action))
        finally:
            await deferred
            self._interactions.end(interaction)

    async def _deliver(self, event: InboundEvent) -> None:
        assert self._sink is not None
        try:
            await self._sink(event)
        except Exception:  # one bad event must not stop the ones after it
            log.exception("handling Discord event %s failed", event.event_id)

    def _serves(self, guild_id: int | None) -> bool:
        """Servers only: with ``guild_id`` set, that one server (a bot can be in others it must ignore)."""
        return guild_id is not None and self.settings.guild_id in (None, guild_id)

    def _commands(self) -> SlashCommands:
        """The slash command for the current catalogue (rebuilt when plugins changed the commands)."""
        catalogue = self._host.catalogue()
        if self._slash is None or self._slash.catalogue is not catalogue:
            self._slash = SlashCommands(catalogue, self.settings.command_name, SUGGESTED)
        return self._slash

    def _spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        if self._stopping.is_set():
            work.close()
            return
        task = asyncio.create_task(_logged(work, name), name=f"discord-{name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


async def _logged(work: Coroutine[Any, Any, None], name: str) -> None:
    """Run a handler; a surprise in one (say, a malformed payload) is logged and stops nothing else."""
    try:
        await work
    except Exception:
        log.exception("handling Discord %s failed", name)


def _nonce(key: str) -> str:
    """Discord drops a second message with the same nonce (``enforce_nonce``), so a resend posts once."""
    return hashlib.sha256(key.encode()).hexdigest()[:25]


async def _acknowledge(interaction: discord.Interaction, call: Coroutine[Any, Any, Any]) -> None:
    try:
        await call
    except discord.HTTPException as error:  # e.g. a replayed interaction that was answered before
        log.info("Discord refused a response to interaction %s: %s", interaction.id, error)


async def _answer_quietly(interaction: discord.Interaction, text: str) -> None:
    await _acknowledge(interaction, interaction.response.send_message(text, ephemeral=True))
