"""A realistic example case, so a newcomer sees refundkit work before typing their own facts.

The dates are relative to today, so the example always has an open window to act on.
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from refundkit import cases, timeline
from refundkit.models import Order
from refundkit.store import Store


def temp_home() -> Path:
    return Path(tempfile.mkdtemp(prefix="refundkit-demo-"))


def build(store: Store, now: datetime) -> Order:
    """Record one example dispute: earphones bought in a Mini Program, return refused."""
    today = now.date()
    store.update_profile(
        {
            "name": "张三",
            "phone": "13800138000",
            "address": "上海市浦东新区世纪大道100号",
            "language": "zh",
            "jurisdiction": "cn",
        }
    )
    order = cases.add_order(
        store,
        {
            "merchant": "声悦数码旗舰店",
            "item": "无线降噪蓝牙耳机 X3（黑色）",
            "amount": "¥399.00",
            "purchased": (today - timedelta(days=5)).isoformat() + " 21:14",
            "received": (today - timedelta(days=3)).isoformat() + " 18:30",
            "mini_program": "声悦数码商城",
            "operator": "深圳市声悦电子科技有限公司",
            "merchant_address": "广东省深圳市南山区科技园路1号",
            "merchant_phone": "0755-12345678",
            "order_no": "SY202611200001",
            "transaction_id": "4200002026112012345678901234",
            "payment_method": "wechat-pay",
            "problem": "defective",
            "note": "耳机左耳有电流声；商家客服称“已拆封不退”。",
        },
        now,
    )
    for kind, days_ago, extra in (
        ("contacted-merchant", 2, {"note": "在小程序客服中申请七天无理由退货"}),
        ("merchant-refused", 1, {"note": "客服：商品已拆封，不支持退货"}),
    ):
        timeline.log_event(
            store,
            order.id,
            {"event": kind, "on": (today - timedelta(days=days_ago)).isoformat(), **extra},
            now,
        )
    _attach_examples(store, order.id, now)
    return store.load(order.id)


def _attach_examples(store: Store, order_id: str, now: datetime) -> None:
    """Three kinds of proof, written to a temp folder and copied in as a user's would be."""
    from refundkit.evidence import add_evidence
    from refundkit.kinds import EvidenceKind

    chat = (
        "2026 订单客服聊天记录\n"
        "我：您好，耳机左耳有电流声，申请七天无理由退货。\n"
        "客服：亲，商品已拆封，不支持退货哦。\n"
    )
    voucher = "微信支付 账单详情\n商户全称：深圳市声悦电子科技有限公司\n支付金额：¥399.00\n"
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        files = {
            EvidenceKind.ORDER: (base / "订单截图.png", _tiny_png()),
            EvidenceKind.CHAT: (base / "客服聊天记录.txt", chat.encode()),
            EvidenceKind.PAYMENT: (base / "微信支付凭证.txt", voucher.encode()),
        }
        for kind, (path, data) in files.items():
            path.write_bytes(data)
            add_evidence(store, order_id, [path], kind, None, None, now)


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
