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
    return store.load(order.id)
