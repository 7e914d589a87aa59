"""The contract between the core and a chat platform adapter: the one module an adapter imports.

An adapter translates both ways. Inbound, a platform event becomes one of the
events below, carrying opaque references (:class:`UserRef`,
:class:`ConversationRef`, :class:`MessageRef`), handed to a :class:`Sink`.
Outbound, a portable :class:`Message` becomes the platform's own idiom,
command hints (:class:`Command`) included.

The process builds an adapter as its :class:`AdapterFactory` says, from its
``Settings`` and the :class:`AdapterHost`, which also offers durable state and
the :class:`Catalogue` of commands for native command forms. A setting that
turns out unusable once connected is a :class:`ConfigError`.
"""

from warroom.core.adapter.catalogue import (
    Catalogue,
    CatalogueCommand,
    CatalogueOption,
    OptionKind,
    SeverityLevel,
    Term,
)
from warroom.core.adapter.events import (
    ButtonPressed,
    CommandInvoked,
    InboundEvent,
    MemberJoined,
    MessageReceived,
    ReactionAdded,
    event_key,
    trigger_of,
)
from warroom.core.adapter.messages import (
    Block,
    Button,
    CodeBlock,
    Command,
    Field,
    Inline,
    Mention,
    Message,
    Paragraph,
    Text,
    Tone,
)
from warroom.core.adapter.protocol import (
    Adapter,
    AdapterFactory,
    AdapterHealth,
    AdapterHost,
    AdapterState,
    Capabilities,
    ChannelSpec,
    Sink,
    WebhookReceiver,
    WebServer,
)
from warroom.core.adapter.refs import ConversationRef, MessageRef, UserRef
from warroom.core.errors import ConfigError

__all__ = [
    "Adapter",
    "AdapterFactory",
    "AdapterHealth",
    "AdapterHost",
    "AdapterState",
    "Block",
    "Button",
    "ButtonPressed",
    "Capabilities",
    "Catalogue",
    "CatalogueCommand",
    "CatalogueOption",
    "ChannelSpec",
    "CodeBlock",
    "Command",
    "CommandInvoked",
    "ConfigError",
    "ConversationRef",
    "Field",
    "InboundEvent",
    "Inline",
    "MemberJoined",
    "Mention",
    "Message",
    "MessageReceived",
    "MessageRef",
    "OptionKind",
    "Paragraph",
    "ReactionAdded",
    "SeverityLevel",
    "Sink",
    "Term",
    "Text",
    "Tone",
    "UserRef",
    "WebServer",
    "WebhookReceiver",
    "event_key",
    "trigger_of",
]
