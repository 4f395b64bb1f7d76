"""A researcher's library (a Zotero export, a list of ids) read, resolved against the store, and
turned into a profile's seeds."""
