"""The steps of files.uploadV2: get an upload URL, POST the bytes there, complete (and share) the upload."""

from __future__ import annotations

from typing import Any

from bot.localslack.context import Args, StandIn
from bot.localslack.errors import SlackApiError


def get_upload_url(si: StandIn, args: Args) -> dict[str, Any]:
    filename = args.opt("filename")
    length = args.number("length", -1)
    if filename is None or length < 0:
        raise SlackApiError("invalid_arguments")
    file_id = si.workspace.new_id("F")
    si.uploads[file_id] = {"id": file_id, "name": filename, "length": length, "content": None}
    return {"ok": True, "upload_url": f"{si.base_url}/upload/{file_id}", "file_id": file_id}


def receive_upload(si: StandIn, file_id: str, content: bytes) -> bool:
    """The body of POST /upload/<id>; False when the id was never handed out."""
    upload = si.uploads.get(file_id)
    if upload is None:
        return False
    upload["content"] = content
    return True


def complete_upload(si: StandIn, args: Args) -> dict[str, Any]:
    wanted = args.json("files", "invalid_arguments")
    if not isinstance(wanted, list) or not wanted:
        raise SlackApiError("invalid_arguments")
    shared: list[dict[str, Any]] = []
    for item in wanted:
        upload = si.uploads.get(str(item.get("id")) if isinstance(item, dict) else "")
        if upload is None or upload["content"] is None:
            raise SlackApiError("file_not_found")
        info = {
            "id": upload["id"],
            "name": upload["name"],
            "title": item.get("title") or upload["name"],
            "size": len(upload["content"]),
            "user": si.workspace.app.bot_user_id,
            "url_private": f"{si.base_url}/files/{upload['id']}/{upload['name']}",
        }
        si.workspace.files[upload["id"]] = {**info, "content": upload["content"]}
        shared.append(info)
    channel_ref = args.opt("channel_id") or (args.text("channels").split(",")[0] or None)
    if channel_ref is not None:
        channel = si.workspace.channel(channel_ref)
        if not channel.is_im and si.workspace.app.bot_user_id not in channel.members:
            raise SlackApiError("not_in_channel")
        posted = si.workspace.post(
            channel,
            text=args.text("initial_comment"),
            user=si.workspace.app.bot_user_id,
            bot_id=si.workspace.app.bot_id,
            thread_ts=args.opt("thread_ts"),
            files=shared,
        )
        si.bot_posted(posted)
    return {"ok": True, "files": [{"id": f["id"], "title": f["title"]} for f in shared]}


def files_info(si: StandIn, args: Args) -> dict[str, Any]:
    stored = si.workspace.files.get(args.text("file"))
    if stored is None:
        raise SlackApiError("file_not_found")
    return {"ok": True, "file": {k: v for k, v in stored.items() if k != "content"}}


METHODS = {
    "files.getUploadURLExternal": get_upload_url,
    "files.completeUploadExternal": complete_upload,
    "files.info": files_info,
}
