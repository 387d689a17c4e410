"""The floor every app stands on: errors, metrics, observability, input bounds, mail, shared admin and DRF glue.

Nothing here imports an app or the project wiring (`mangaassist`); the import-linter contract in `.importlinter` checks it.
"""
