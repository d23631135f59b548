"""The Web API as the desk meets it through slack_sdk: shapes, errors and workspace effects."""

from __future__ import annotations

import json

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.localslack.driver import LocalSlack


async def test_auth_test_names_the_bot_and_the_team(client: AsyncWebClient) -> None:
    response = await client.auth_test()
    assert response["user_id"] == "U0DESKBOT1"
    assert response["bot_id"] == "B0DESKBOT1"
    assert response["team_id"] == "T0DESK0001"


async def test_wrong_or_missing_token_is_refused(slack: LocalSlack) -> None:
    with pytest.raises(SlackApiError) as refused:
        await AsyncWebClient(token="xoxb-wrong", base_url=slack.api_url).auth_test()
    assert refused.value.response["error"] == "invalid_auth"
    async with aiohttp.ClientSession() as session, session.post(f"{slack.api_url}auth.test") as response:
        assert (await response.json()) == {"ok": False, "error": "not_authed"}


async def test_token_may_come_as_a_form_field(slack: LocalSlack) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{slack.api_url}auth.test", data={"token": slack.bot_token}) as response,
    ):
        assert (await response.json())["ok"] is True


async def test_post_message_lands_in_the_channel_with_slack_shape(client: AsyncWebClient, slack: LocalSlack):
    response = await client.chat_postMessage(channel="C0ITTRIAGE", text="New ticket IT-1")
    assert response["channel"] == "C0ITTRIAGE"
    assert response["message"]["bot_id"] == "B0DESKBOT1"
    assert [m.text for m in slack.messages_in("#it-triage")] == ["New ticket IT-1"]
    assert slack.calls("chat.postMessage")[0].args["channel"] == "C0ITTRIAGE"


async def test_post_message_to_a_user_id_opens_the_dm(client: AsyncWebClient, slack: LocalSlack) -> None:
    response = await client.chat_postMessage(channel="U0ANNA0001", text="Your ticket is open")
    assert response["channel"].startswith("D")
    assert [m.text for m in slack.dm_with("anna")] == ["Your ticket is open"]


async def test_message_timestamps_increase_even_when_time_stands_still(client: AsyncWebClient) -> None:
    first = await client.chat_postMessage(channel="C0HELPCHAN", text="one")
    second = await client.chat_postMessage(channel="C0HELPCHAN", text="two")
    assert float(second["ts"]) > float(first["ts"])


async def test_bot_outside_a_channel_cannot_post(client: AsyncWebClient, slack: LocalSlack) -> None:
    slack.workspace.channels["C0ITTRIAGE"].members.discard("U0DESKBOT1")
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel="C0ITTRIAGE", text="hello")
    assert refused.value.response["error"] == "not_in_channel"


async def test_unknown_channel_and_overlong_text_are_refused(client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as unknown:
        await client.chat_postMessage(channel="C0NOTHERE0", text="hello")
    assert unknown.value.response["error"] == "channel_not_found"
    with pytest.raises(SlackApiError) as too_long:
        await client.chat_postMessage(channel="C0HELPCHAN", text="x" * 40_001)
    assert too_long.value.response["error"] == "msg_too_long"


async def test_thread_replies_count_on_the_parent(client: AsyncWebClient, slack: LocalSlack) -> None:
    parent = await client.chat_postMessage(channel="C0ITTRIAGE", text="Ticket IT-7")
    await client.chat_postMessage(channel="C0ITTRIAGE", text="Claimed by Lena", thread_ts=parent["ts"])
    replies = await client.conversations_replies(channel="C0ITTRIAGE", ts=parent["ts"])
    assert [m["text"] for m in replies["messages"]] == ["Ticket IT-7", "Claimed by Lena"]
    assert replies["messages"][0]["reply_count"] == 1
    history = await client.conversations_history(channel="C0ITTRIAGE")
    assert [m["text"] for m in history["messages"]] == ["Ticket IT-7"]
    assert [m.text for m in slack.thread("C0ITTRIAGE", parent["ts"])][-1] == "Claimed by Lena"


async def test_update_keeps_blocks_unless_given_and_only_for_own_messages(
    client: AsyncWebClient, slack: LocalSlack, desk
) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Open*"}}]
    posted = await client.chat_postMessage(channel="C0ITTRIAGE", text="Ticket", blocks=blocks)
    await client.chat_update(channel="C0ITTRIAGE", ts=posted["ts"], text="Ticket (claimed)")
    updated = slack.last_message("C0ITTRIAGE")
    assert updated.text == "Ticket (claimed)"
    assert "*Open*" in updated.text_content

    said = await slack.send_message("lena-it", "#it-triage", "I'll take it")
    with pytest.raises(SlackApiError) as refused:
        await client.chat_update(channel="C0ITTRIAGE", ts=said.message.ts, text="edited by the bot")
    assert refused.value.response["error"] == "cant_update_message"
    with pytest.raises(SlackApiError) as missing:
        await client.chat_update(channel="C0ITTRIAGE", ts="1.000001", text="nothing there")
    assert missing.value.response["error"] == "message_not_found"


async def test_ephemeral_needs_the_user_in_the_channel(client: AsyncWebClient, slack: LocalSlack) -> None:
    await client.chat_postEphemeral(channel="C0ITTRIAGE", user="U0LENA0001", text="Only you can see this")
    assert [e.text for e in slack.ephemerals_for("lena-it")] == ["Only you can see this"]
    assert slack.messages_in("C0ITTRIAGE") == []
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postEphemeral(channel="C0ITTRIAGE", user="U0ANNA0001", text="no")
    assert refused.value.response["error"] == "user_not_in_channel"


async def test_history_pages_with_cursors(client: AsyncWebClient) -> None:
    for n in range(5):
        await client.chat_postMessage(channel="C0HELPCHAN", text=f"message {n}")
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = await client.conversations_history(channel="C0HELPCHAN", limit=2, cursor=cursor)
        seen.extend(m["text"] for m in page["messages"])
        pages += 1
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            assert page["has_more"] is False
            break
    assert pages == 3
    assert seen == [f"message {n}" for n in reversed(range(5))]
    with pytest.raises(SlackApiError) as refused:
        await client.conversations_history(channel="C0HELPCHAN", cursor="bogus!")
    assert refused.value.response["error"] == "invalid_cursor"


async def test_private_channel_is_invisible_to_a_bot_outside_it(client: AsyncWebClient, slack: LocalSlack):
    assert (await client.conversations_info(channel="C0HRTRIAGE"))["channel"]["is_private"] is True
    slack.workspace.channels["C0HRTRIAGE"].members.discard("U0DESKBOT1")
    with pytest.raises(SlackApiError) as refused:
        await client.conversations_info(channel="C0HRTRIAGE")
    assert refused.value.response["error"] == "channel_not_found"


async def test_users_carry_locale_timezone_and_manager(client: AsyncWebClient) -> None:
    erik = (await client.users_info(user="U0ERIK0001", include_locale=True))["user"]
    assert erik["locale"] == "sv-SE"
    assert erik["tz"] == "Europe/Stockholm"
    assert erik["tz_offset"] == 3600
    assert erik["profile"]["fields"]["Xf0MANAGER"]["value"] == "U0MAGNUS01"
    without_locale = (await client.users_info(user="U0ERIK0001"))["user"]
    assert "locale" not in without_locale
    found = await client.users_lookupByEmail(email="anna@example.se")
    assert found["user"]["id"] == "U0ANNA0001"
    with pytest.raises(SlackApiError) as refused:
        await client.users_lookupByEmail(email="nobody@example.se")
    assert refused.value.response["error"] == "users_not_found"


async def test_usergroup_members_and_reactions(client: AsyncWebClient, slack: LocalSlack) -> None:
    assert (await client.usergroups_users_list(usergroup="S0ITAGENTS"))["users"] == [
        "U0LENA0001",
        "U0OSKAR001",
    ]
    posted = await client.chat_postMessage(channel="C0ITTRIAGE", text="Ticket")
    await client.reactions_add(channel="C0ITTRIAGE", timestamp=posted["ts"], name="eyes")
    assert slack.last_message("C0ITTRIAGE").reactions == {"eyes": ["U0DESKBOT1"]}
    with pytest.raises(SlackApiError) as twice:
        await client.reactions_add(channel="C0ITTRIAGE", timestamp=posted["ts"], name="eyes")
    assert twice.value.response["error"] == "already_reacted"


async def test_permalink_and_conversations_open(client: AsyncWebClient) -> None:
    opened = await client.conversations_open(users="U0ERIK0001")
    posted = await client.chat_postMessage(channel=opened["channel"]["id"], text="Hej Erik")
    link = await client.chat_getPermalink(channel=opened["channel"]["id"], message_ts=posted["ts"])
    assert link["permalink"].endswith(posted["ts"].replace(".", ""))


async def test_file_upload_v2_shares_the_file_into_the_channel(client: AsyncWebClient, slack: LocalSlack) -> None:
    await client.files_upload_v2(
        channel="C0ITTRIAGE",
        filename="digest.csv",
        content="ticket,state\nIT-1,open\n",
        initial_comment="Digest",
    )
    shared = slack.last_message("C0ITTRIAGE")
    assert shared.text == "Digest"
    assert shared.files[0]["name"] == "digest.csv"
    assert shared.files[0]["size"] == len("ticket,state\nIT-1,open\n")


async def test_recorded_blocks_read_the_same_for_form_and_json_bodies(slack: LocalSlack) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]
    async with aiohttp.ClientSession() as session:
        form = {"token": slack.bot_token, "channel": "C0HELPCHAN", "text": "hi", "blocks": json.dumps(blocks)}
        async with session.post(f"{slack.api_url}chat.postMessage", data=form) as response:
            assert (await response.json())["ok"]
    await AsyncWebClient(token=slack.bot_token, base_url=slack.api_url).chat_postMessage(
        channel="C0HELPCHAN", text="hi", blocks=blocks
    )
    recorded = [call.args["blocks"] for call in slack.calls("chat.postMessage")]
    assert recorded == [blocks, blocks]
    assert "token" not in slack.calls("chat.postMessage")[0].args
