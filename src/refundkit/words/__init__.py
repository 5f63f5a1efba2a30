"""The wording layer: every word a person reads, chosen here from the rules' codes.

    names.py     human names of codes (rule ids, stages, kinds, channels, reasons)
    terminal.py  sentences for the terminal, the JSON text fields and the calendar

Letters have their own wording layer, in templates/letters/ (one set of templates per
language). Both read the same codes from refundkit.rules and decide no point of law.
"""
