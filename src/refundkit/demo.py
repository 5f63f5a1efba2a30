"""A realistic example case, so a newcomer sees refundkit work before typing their own facts.

The dates are relative to today, so the example always has an open window to act on; the order
number, the transaction number and the chat record are dated from the same purchase day, as a
real shop's and WeChat Pay's would be.

The example lives in one fixed folder under the temp folder, rebuilt by each `refundkit demo`,
so runs do not pile up folders; it is removed only when it is surely the demo's own (a folder,
not a link, owned by this user, marked as the demo's), else a new temp folder is used.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from refundkit import cases, timeline
from refundkit.models import Order
from refundkit.store import Store

MARKER = ".refundkit-demo"  # in the demo's folder: it may be removed and rebuilt


def temp_home() -> Path:
    """The demo's folder, emptied for a new build: the fixed one if it is free or the demo's
    own, else a new temp folder."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    fixed = Path(tempfile.gettempdir()) / f"refundkit-demo-{uid}"
    try:
        info = os.lstat(fixed)
    except FileNotFoundError:
        return fixed
    except OSError:
        return Path(tempfile.mkdtemp(prefix="refundkit-demo-"))
    ours = (
        stat.S_ISDIR(info.st_mode)
        and (not hasattr(os, "getuid") or info.st_uid == uid)
        and os.path.lexists(fixed / MARKER)
    )
    if not ours:
        return Path(tempfile.mkdtemp(prefix="refundkit-demo-"))
    shutil.rmtree(fixed)
    return fixed


def mark(store: Store) -> None:
    """Mark a built demo folder as the demo's own (temp_home may then rebuild it)."""
    path = store.home / MARKER
    path.touch(mode=0o600)


def build(store: Store, now: datetime) -> Order:
    """Record one example dispute: earphones bought in a Mini Program, return refused."""
    today = now.date()
    purchased = today - timedelta(days=5)
    store.update_profile(
        {
            "name": "张三",
            "phone": "13800138000",
            "address": "上海市浦东新区世纪大道100号",
            "jurisdiction": "cn",
        }
    )
    order = cases.add_order(
        store,
        {
            "merchant": "声悦数码旗舰店",
            "item": "无线降噪蓝牙耳机 X3（黑色）",
            "amount": "¥399.00",
            "purchased": purchased.isoformat() + " 21:14",
            "received": (today - timedelta(days=3)).isoformat() + " 18:30",
            "mini_program": "声悦数码商城",
            "operator": "深圳市声悦电子科技有限公司",
            "merchant_address": "广东省深圳市南山区科技园路1号",
            "merchant_phone": "0755-26123456",
            "order_no": f"SY{purchased:%Y%m%d}0001",
            "transaction_id": f"4200001234{purchased:%Y%m%d}5678901234",
            "payment_method": "wechat-pay",
            "problem": "defective",
            "details": "耳机左耳有持续的电流声，无法正常使用。",
            "note": "商家客服称“已拆封不退”；先试协商，不行再投诉。",
        },
        now,
    )
    for kind, days_ago, extra in (
        (
            "contacted-merchant",
            2,
            {"asked": "return", "note": "在小程序客服中说明左耳有电流声，申请退货"},
        ),
        (
            "merchant-refused",
            1,
            {"reason": "opened", "note": "客服：商品已拆封，不支持退货"},
        ),
    ):
        timeline.log_event(
            store,
            order.id,
            {"event": kind, "on": (today - timedelta(days=days_ago)).isoformat(), **extra},
            now,
        )
    _attach_examples(store, store.load(order.id), now)
    mark(store)
    return store.load(order.id)


def _attach_examples(store: Store, order: Order, now: datetime) -> None:
    """Three kinds of proof, written to a temp folder and copied in as a user's would be."""
    from refundkit.evidence import add_evidence
    from refundkit.kinds import EvidenceKind

    asked = (now - timedelta(days=2)).date()
    refused = (now - timedelta(days=1)).date()
    chat = (
        f"订单 {order.order_no} 客服聊天记录\n"
        f"{asked:%Y-%m-%d} 我：您好，耳机左耳有电流声，申请退货。\n"
        f"{refused:%Y-%m-%d} 客服：亲，商品已拆封，不支持退货哦。\n"
    )
    voucher = (
        "微信支付 账单详情\n"
        "商户全称：深圳市声悦电子科技有限公司\n"
        "支付金额：¥399.00\n"
        f"支付时间：{order.purchased:%Y-%m-%d} 21:14:00\n"
        f"交易单号：{order.transaction_id}\n"
        f"商户单号：{order.order_no}\n"
    )
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        files = {
            EvidenceKind.ORDER: (base / "订单截图.png", _tiny_png()),
            EvidenceKind.CHAT: (base / "客服聊天记录.txt", chat.encode()),
            EvidenceKind.PAYMENT: (base / "微信支付凭证.txt", voucher.encode()),
        }
        for kind, (path, data) in files.items():
            path.write_bytes(data)
            add_evidence(store, order.id, [path], kind, None, None, now)


def _tiny_png() -> bytes:
    """A valid 1x1 PNG, so the example has a real image to fingerprint."""
    import struct
    import zlib

    def chunk(tag: bytes, data: bytes) -> bytes:
        body = tag + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
