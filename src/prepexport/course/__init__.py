"""The course layer: what both renderers need to know about a course, with no deck or PDF machinery.

It reads the validated model and answers questions about it: which kinds of cards and notes exist, what a
cloze deletes, which week of which plan covers what, how topics are numbered, which tags a note carries.
Nothing here imports genanki or reportlab, so the loader, the deck and the workbook can all share it.
"""
