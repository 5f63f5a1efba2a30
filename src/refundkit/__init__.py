"""refundkit: organise the proof of a purchase the merchant will not refund, and write letters."""

__version__ = "0.1.0"
