"""Screenshots become records: read a payment page, an order page or a chat, offline.

The package is layered so that each layer can change without the others:
- engine.py: OCR behind a small interface (image bytes in, recognised lines out); the
  RapidOCR implementation is imported only when an image is read, and tests use a fake;
- layouts.py: pure rules that turn recognised lines into facts for WeChat Pay's and Alipay's
  bill detail (账单详情) and a shop's order page, each fact with its source text, the
  engine's confidence and, when it is doubtful, why;
- chat.py: pure rules that propose dispute events from a chat's recognised text;
- text.py: the recognised text kept beside an evidence file, fingerprinted like the file;
- record.py: a reading recorded as a new order, or as the missing facts of an existing one.

Nothing here opens a network connection: the models ship inside the OCR package's wheel.
"""
