"""The shape of app.yaml. Unknown keys are errors (a typo must not silently disable a setting)."""

from __future__ import annotations

import itertools
import re
import zoneinfo
from datetime import date, time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from bot.sla.durations import parse_duration

SLACK_USER_ID = r"^[UW][A-Z0-9]{2,}$"
SLACK_CHANNEL_ID = r"^[CGD][A-Z0-9]{2,}$"
KEBAB_ID = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
TEAM_ID = r"^[a-z][a-z0-9_-]*$"

UserId = Annotated[str, Field(pattern=SLACK_USER_ID)]
ChannelId = Annotated[str, Field(pattern=SLACK_CHANNEL_ID)]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^(?P<start>\d{2}:\d{2})-(?P<end>\d{2}:\d{2})$")


class Priority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Kind(StrEnum):
    REQUEST = "request"
    INCIDENT = "incident"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _parse_time(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    if hours == 24 and minutes == 0:
        return time.max
    return time(hours, minutes)


def parse_span(text: Any) -> tuple[time, time]:
    if not isinstance(text, str) or not (match := _SPAN.match(text.strip())):
        raise ValueError(f"'{text}' is not an opening span; write it quoted like \"08:00-17:00\"")
    try:
        start, end = _parse_time(match.group("start")), _parse_time(match.group("end"))
    except ValueError:
        raise ValueError(f"'{text}' has an impossible time; use 00:00 to 24:00") from None
    if end <= start:
        raise ValueError(f"'{text}' ends before it starts; spans may not cross midnight, split them in two")
    return start, end


Span = Annotated[str, Field(description="HH:MM-HH:MM")]


class HolidaysConfig(Strict):
    country: str = Field(min_length=2, max_length=3)
    subdivision: str | None = None
    closed_eves: bool = Field(
        default=True,
        description="Also close the Swedish-style eves (midsommarafton, julafton, nyårsafton).",
    )


class CalendarConfig(Strict):
    timezone: str = "UTC"
    hours: dict[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], list[Span]] = Field(default_factory=dict)
    holidays: HolidaysConfig | None = None
    closed: list[date] = Field(default_factory=list)
    open: dict[date, list[Span]] = Field(default_factory=dict)
    always_open: bool = False

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{value}'; use an IANA name like Europe/Stockholm") from None
        return value

    @field_validator("hours", "open")
    @classmethod
    def _valid_spans(cls, value: dict[Any, list[str]]) -> dict[Any, list[str]]:
        for spans in value.values():
            parsed = sorted(parse_span(span) for span in spans)
            for (_, end), (start, _) in itertools.pairwise(parsed):
                if start < end:
                    raise ValueError(f"spans {spans} overlap; make them disjoint")
        return value

    @model_validator(mode="after")
    def _some_opening(self) -> CalendarConfig:
        if not self.always_open and not any(self.hours.values()):
            raise ValueError("a calendar needs opening `hours` for at least one weekday, or `always_open: true`")
        return self


class Duration(str):
    """A duration string validated on load; `.minutes` is the working time it means."""

    minutes: int

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        def validate(value: Any) -> Duration:
            if not isinstance(value, str):
                raise ValueError(f"'{value}' is not a duration; write it like 30m, 4h or 2h30m")
            minutes = parse_duration(value)
            if minutes <= 0:
                raise ValueError(f"'{value}' is no time at all; a target must be at least 1m")
            result = cls(value)
            result.minutes = minutes
            return result

        return core_schema.no_info_plain_validator_function(validate)


class SlaTargets(Strict):
    first_response: Duration
    resolution: Duration


class SlaOverride(Strict):
    first_response: Duration | None = None
    resolution: Duration | None = None


class SlaConfig(Strict):
    warn_at: float = Field(default=0.75, gt=0, lt=1)
    policies: dict[str, dict[Priority, SlaTargets]]

    @field_validator("policies")
    @classmethod
    def _every_priority(cls, value: dict[str, dict[Priority, SlaTargets]]) -> dict[str, Any]:
        for name, targets in value.items():
            missing = [p.value for p in Priority if p not in targets]
            if missing:
                raise ValueError(f"policy '{name}' has no targets for {', '.join(missing)}; give all four")
        return value


class TeamConfig(Strict):
    id: str = Field(pattern=TEAM_ID)
    name: str
    name_sv: str | None = None
    channel: ChannelId
    agents: list[UserId] = Field(default_factory=list)
    usergroup: str | None = Field(default=None, pattern=r"^S[A-Z0-9]{2,}$")
    leads: list[UserId] = Field(default_factory=list)
    calendar: str
    sla: str
    confidential: bool = False

    @model_validator(mode="after")
    def _has_people(self) -> TeamConfig:
        if not self.agents and not self.usergroup:
            raise ValueError(f"team '{self.id}' needs `agents` (Slack user ids) or a `usergroup`")
        return self


class FieldOption(Strict):
    value: str = Field(min_length=1, max_length=150)
    label: str = Field(min_length=1, max_length=75)
    label_sv: str | None = Field(default=None, max_length=75)


class FormField(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)
    label: str = Field(min_length=1, max_length=200)
    label_sv: str | None = None
    type: Literal["text", "multiline", "select", "date", "user"]
    required: bool = True
    hint: str | None = None
    options: list[FieldOption] | None = None
    max_length: int | None = Field(default=None, gt=0, le=3000)

    @model_validator(mode="after")
    def _options_for_select(self) -> FormField:
        if self.type == "select" and not self.options:
            raise ValueError(f"field '{self.id}' is a select; give it `options`")
        if self.type != "select" and self.options:
            raise ValueError(f"field '{self.id}' has options but is not a select; remove them or use type: select")
        if self.options and len(self.options) > 100:
            raise ValueError(f"field '{self.id}' has more than 100 options, Slack's limit for a select")
        return self


class ApprovalConfig(Strict):
    manager: bool = False
    users: list[UserId] = Field(default_factory=list)
    usergroup: str | None = Field(default=None, pattern=r"^S[A-Z0-9]{2,}$")
    mode: Literal["any", "all"] = "any"
    fallback: UserId | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if value == "manager":
            return {"manager": True}
        return value

    @model_validator(mode="after")
    def _someone_approves(self) -> ApprovalConfig:
        if not (self.manager or self.users or self.usergroup):
            raise ValueError("approval needs `manager`, `users` or a `usergroup`")
        return self


class CatalogItem(Strict):
    id: str = Field(pattern=KEBAB_ID, max_length=80)
    title: str = Field(min_length=1, max_length=150)
    title_sv: str | None = Field(default=None, max_length=150)
    description: str = ""
    description_sv: str | None = None
    keywords: list[str] = Field(default_factory=list)
    team: str
    kind: Kind
    priority: Priority
    fields: list[FormField] = Field(default_factory=list)
    approval: ApprovalConfig | None = None
    sla: SlaOverride | None = None

    @field_validator("fields")
    @classmethod
    def _unique_fields(cls, value: list[FormField]) -> list[FormField]:
        seen: set[str] = set()
        for item in value:
            if item.id in seen:
                raise ValueError(f"field id '{item.id}' appears twice; field ids must be unique per item")
            seen.add(item.id)
        return value


class DeskSection(Strict):
    name: str = "Helpdesk"
    default_language: Literal["en", "sv"] = "en"
    default_team: str
    admins: list[UserId] = Field(default_factory=list)
    ticket_emoji: str = "ticket"
    internal_prefix: str = "//"
    grace_period: Duration = Field(default_factory=lambda: _duration("27h"))


def _duration(text: str) -> Duration:
    result = Duration(text)
    result.minutes = parse_duration(text)
    return result


class SlackSection(Strict):
    bot_token: str = ""
    signing_secret: str = ""
    app_token: str = ""
    api_url: str = "https://slack.com/api/"


class DatabaseSection(Strict):
    url: str = "sqlite+aiosqlite:///data/servicedesk.db"
    pool_size: int = Field(default=5, ge=1, le=100)
    max_overflow: int = Field(default=5, ge=0, le=100)
    pool_timeout: float = Field(default=10.0, gt=0)
    echo: bool = False

    @field_validator("url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                f"database url '{value.split('@')[-1]}' is not supported; use sqlite+aiosqlite:///path.db "
                "or postgresql+asyncpg://user@host/db"
            )
        return value


class ServerSection(Strict):
    host: str = "127.0.0.1"
    port: int = Field(default=3000, ge=1, le=65535)
    # Stored events processed at once by one process. Their writes share transactions (group commit), so
    # more at once means fewer round trips per event; too many would hold up the acknowledgements.
    event_concurrency: int = Field(default=32, ge=1, le=1000)


class KnowledgeSection(Strict):
    path: str = "knowledge/articles"


class MatchingSection(Strict):
    confident: float | None = Field(default=None, ge=0, le=1)
    suggest: float | None = Field(default=None, ge=0, le=1)
    max_learned_phrasings: int = Field(default=50, ge=0, le=1000)


class DigestSection(Strict):
    time: str = Field(default="09:00", pattern=r"^\d{2}:\d{2}$")
    company_channel: ChannelId | None = None
    when_quiet: Literal["one_line", "none"] = "one_line"
    agent_dms: bool = False


class FeedbackSection(Strict):
    survey_cooldown_days: int = Field(default=14, ge=0, le=365)
    low_rating: int = Field(default=2, ge=1, le=4)


class ApprovalsSection(Strict):
    manager_field: str = "Xf0MANAGER"
    managers: dict[str, UserId] = Field(default_factory=dict)
    remind_after: Duration = Field(default_factory=lambda: _duration("4h"))
    fallback: UserId | None = None
    away_emoji: list[str] = Field(default_factory=lambda: [":palm_tree:", ":airplane:", ":face_with_thermometer:"])


class DeskConfig(Strict):
    desk: DeskSection
    slack: SlackSection = Field(default_factory=SlackSection)
    database: DatabaseSection = Field(default_factory=DatabaseSection)
    server: ServerSection = Field(default_factory=ServerSection)
    knowledge: KnowledgeSection = Field(default_factory=KnowledgeSection)
    matching: MatchingSection = Field(default_factory=MatchingSection)
    synonyms: dict[str, list[str]] = Field(default_factory=dict)
    calendars: dict[str, CalendarConfig] = Field(default_factory=dict)
    sla: SlaConfig
    teams: list[TeamConfig]
    catalog: list[CatalogItem] = Field(default_factory=list)
    catalog_files: list[str] = Field(default_factory=list)
    digest: DigestSection = Field(default_factory=DigestSection)
    feedback: FeedbackSection = Field(default_factory=FeedbackSection)
    approvals: ApprovalsSection = Field(default_factory=ApprovalsSection)

    _base_dir: Path = PrivateAttr(default_factory=Path.cwd)
    _source: Path | None = PrivateAttr(default=None)

    @field_validator("synonyms", mode="before")
    @classmethod
    def _synonym_lists(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {key: [item] if isinstance(item, str) else item for key, item in value.items()}
        return value

    @property
    def base_dir(self) -> Path:
        return self._base_dir

    @property
    def source(self) -> Path | None:
        return self._source

    @property
    def knowledge_dir(self) -> Path:
        return (self._base_dir / self.knowledge.path).resolve()

    def team(self, team_id: str) -> TeamConfig:
        for team in self.teams:
            if team.id == team_id:
                return team
        raise KeyError(team_id)

    def item(self, item_id: str) -> CatalogItem:
        for item in self.catalog:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def calendar(self, name: str) -> CalendarConfig:
        if name in self.calendars:
            return self.calendars[name]
        if name == "24x7":
            return CalendarConfig(timezone="UTC", always_open=True)
        raise KeyError(name)

    def targets(self, team_id: str, item_id: str | None, priority: Priority) -> tuple[int, int]:
        """(first response, resolution) in working minutes: the team's policy, then the item's override."""
        policy = self.sla.policies[self.team(team_id).sla][priority]
        first, resolution = policy.first_response.minutes, policy.resolution.minutes
        if item_id is not None:
            override = self.item(item_id).sla
            if override and override.first_response:
                first = override.first_response.minutes
            if override and override.resolution:
                resolution = override.resolution.minutes
        return first, resolution

    def is_agent(self, team_id: str, user_id: str) -> bool:
        """Static membership only; user-group members are resolved by the desk at run time."""
        return user_id in self.desk.admins or user_id in self.team(team_id).agents
